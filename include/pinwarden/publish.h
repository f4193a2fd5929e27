/* publish.h: asking for a Pin to be published. Client, account and board
 * are named every time (there is no default and no "last used"); the
 * account must be the client's and verified, the board the account's and
 * in scope, the link's and image's hosts among the client's approved
 * domains, the fields within Pinterest's limits. The job is queued with
 * who asked, in one transaction with its event. */
#ifndef PINWARDEN_PUBLISH_H
#define PINWARDEN_PUBLISH_H

#include <stdbool.h>

#include "pinwarden/store.h"

#define PW_DUPLICATE_WINDOW_HOURS 24

typedef struct pw_publish_request {
	const char *client;       /* exact names, as typed */
	const char *account;
	const char *board;
	const char *image;        /* an http(s) URL, or a local JPEG or PNG file */
	const char *title;
	const char *description;
	const char *link;
	const char *alt_text;
	const char *at;           /* when, as typed (pw_time_parse); NULL: now */
	bool allow_duplicate;
	bool dry_run;             /* check everything, queue nothing */
	int duplicate_window_hours; /* 0: PW_DUPLICATE_WINDOW_HOURS */
} pw_publish_request;

typedef struct pw_publish_result {
	sqlite3_int64 job_id;     /* 0 for a dry run */
	char *client_name;
	char *account_username;
	char *board_name;
	char *board_pinterest_id;
	char *scheduled_at;       /* stored format */
	char *image;              /* the URL, or the file's absolute path */
} pw_publish_result;

void pw_publish_result_clear(pw_publish_result *r);

/* PW_E_INVALID for a rule broken by the input, PW_E_NOT_FOUND for a name
 * that matches nothing, PW_E_CONFLICT for a state that forbids it (an
 * unverified account, a likely duplicate); the message says which rule
 * and how to fix it. */
pw_code pw_publish(pw_store *store, const pw_publish_request *req, pw_publish_result *out, pw_error *err);

/* One link (image false) or image URL against the client's approved
 * domains for that purpose, as pw_publish checks it; for front ends that
 * check as the operator types. */
struct pw_client;
pw_code pw_publish_check_url(const struct pw_client *c, bool image, const char *url, pw_error *err);

#endif
