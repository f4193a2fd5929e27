/* context.h: what the services work with, passed explicitly: the
 * workspace, its keyring items, and Pinterest. A front end fills one in;
 * nothing here is global. */
#ifndef PINWARDEN_CONTEXT_H
#define PINWARDEN_CONTEXT_H

#include "pinwarden/pinterest.h"
#include "pinwarden/secrets.h"
#include "pinwarden/store.h"

typedef struct pw_ctx {
	pw_store *store;
	pw_keyring *keyring;
	const pw_api_config *api_config;
	pw_api *api;
} pw_ctx;

#endif
