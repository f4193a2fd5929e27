/* fake.h: the fake Pinterest (tests/fake-pinterest.py) as the C tests
 * use it: started on a free loopback port, driven through its control
 * API, stopped at the end. */
#ifndef PINWARDEN_TEST_FAKE_H
#define PINWARDEN_TEST_FAKE_H

#include <cjson/cJSON.h>
#include <glib.h>

typedef struct fake {
	GPid pid;
	char *url;            /* http://127.0.0.1:PORT */
	char *api_base;       /* url + /v5 */
	char *authorize_url;  /* url + /oauth/ */
} fake;

/* Starts the fake; fails the test if it does not come up. */
fake *fake_start(void);
void fake_stop(fake *f);

/* A control call: METHOD /_control/PATH with a JSON body (or NULL);
 * returns the parsed answer (cJSON_Delete it), failing the test on an
 * error status. */
cJSON *fake_control(fake *f, const char *method, const char *path, const char *json_body);

/* The same, for a body built with printf-style arguments. */
cJSON *fake_controlf(fake *f, const char *method, const char *path, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* A plain GET of a full URL without following redirects: the status,
 * and the Location header in *location (g_free). */
long fake_get(const char *url, char **location);

#endif
