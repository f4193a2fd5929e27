/* domains.h: the hosts a client approves for links and images.
 *
 * A rule is a host name ("example.com"), which approves that host only, or
 * "*.example.com", which approves its subdomains (not example.com itself).
 * Subdomains are never approved implicitly. Internationalized names are
 * kept in their ASCII (xn--) form; IP addresses are allowed as they are. */
#ifndef PINWARDEN_DOMAINS_H
#define PINWARDEN_DOMAINS_H

#include <stdbool.h>

#include "pinwarden/error.h"

/* Checks a rule as typed and returns its stored form (lower case, ASCII,
 * no trailing dot) in *out (g_free). */
pw_code pw_domain_normalize(const char *rule, char **out, pw_error *err);

/* Does the stored rule approve host (already lower case ASCII)? */
bool pw_domain_matches(const char *rule, const char *host);

/* A Pinterest username as typed ("@name" or "name") in stored form. */
pw_code pw_username_normalize(const char *typed, char **out, pw_error *err);

#endif
