/* clients.h: the agency's customers, and onboarding one.
 *
 * A client has a name (unique, and unlike every other name even ignoring
 * letter case, so "Acme" and "ACME" cannot both exist), an authorized
 * contact, notes, the domains approved for its links and images, the
 * boards in scope by name, and the Pinterest accounts expected for it.
 * Every change writes its event in the same transaction. */
#ifndef PINWARDEN_CLIENTS_H
#define PINWARDEN_CLIENTS_H

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "pinwarden/error.h"
#include "pinwarden/store.h"

#define PW_CLIENT_NAME_MAX 120
#define PW_CONTACT_MAX 500
#define PW_NOTES_MAX 4000
#define PW_BOARD_NAME_MAX 180

typedef struct pw_client {
	sqlite3_int64 id;
	char *name;
	char *contact;
	char *notes;
	char *colour;             /* a colour name (colours.h), or NULL */
	bool archived;
	char *archived_at;        /* NULL unless archived */
	char *created_at;
	char *created_by;
	GPtrArray *link_domains;  /* char *, sorted */
	GPtrArray *image_domains;
	GPtrArray *boards;        /* board names in scope, sorted */
	GPtrArray *accounts;      /* expected usernames, sorted */
} pw_client;

/* What onboarding asks for; lists hold char * as typed. */
typedef struct pw_client_spec {
	const char *name;
	const char *contact;
	const char *notes;
	const char *colour;       /* NULL or "" for none */
	GPtrArray *link_domains;
	GPtrArray *image_domains;
	GPtrArray *boards;
	GPtrArray *accounts;
} pw_client_spec;

/* An edit: NULL fields and lists stay as they are. */
typedef struct pw_client_edit {
	const char *name;
	const char *contact;
	const char *notes;
	const char *colour;         /* "none" takes it away */
	GPtrArray *add_link_domains;
	GPtrArray *add_image_domains;
	GPtrArray *remove_domains;  /* from both lists */
	GPtrArray *add_boards;
	GPtrArray *remove_boards;
	GPtrArray *add_accounts;
} pw_client_edit;

/* Checks what was typed without touching the store, so that a front end
 * can refuse bad input before it creates or opens anything. */
pw_code pw_client_check(const pw_client_spec *spec, pw_error *err);

pw_code pw_client_add(pw_store *store, const pw_client_spec *spec, sqlite3_int64 *id_out, pw_error *err);

/* Refuses (PW_E_EXISTS) a name another client than except_id (0: any)
 * has, also in another letter case; for front ends that check as typed. */
pw_code pw_client_check_name_free(pw_store *store, const char *name, sqlite3_int64 except_id, pw_error *err);

/* Finds a client by its exact name. An unknown name fails with
 * PW_E_NOT_FOUND and names the close matches. Archived clients are found. */
pw_code pw_client_find(pw_store *store, const char *name, pw_client **out, pw_error *err);

/* Loads a client by id, with its lists. */
pw_code pw_client_get(pw_store *store, sqlite3_int64 id, pw_client **out, pw_error *err);

/* All clients, by name; archived ones only when asked. Array of pw_client. */
pw_code pw_client_list(pw_store *store, bool include_archived, GPtrArray **out, pw_error *err);

pw_code pw_client_update(pw_store *store, const char *name, const pw_client_edit *edit, pw_error *err);

/* Archives a client: refused while it has jobs waiting to be published. */
pw_code pw_client_archive(pw_store *store, const char *name, pw_error *err);

void pw_client_free(pw_client *client);

#endif
