/* operator.h: who is acting. Recorded on every event. */
#ifndef PINWARDEN_OPERATOR_H
#define PINWARDEN_OPERATOR_H

#include "pinwarden/error.h"

typedef struct pw_operator {
	char name[128];
	const char *source;    /* "PINWARDEN_OPERATOR" or "login" */
	char ssh_client[64];   /* the SSH client's address, or "" when local */
} pw_operator;

/* $PINWARDEN_OPERATOR, else the login name of the effective user; over SSH
 * also the client address from $SSH_CONNECTION or $SSH_CLIENT. */
pw_code pw_operator_detect(pw_operator *op, pw_error *err);

#endif
