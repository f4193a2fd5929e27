#include "config.h"

#include "pinwarden/domains.h"

#include <string.h>

#include <glib.h>

static bool valid_label(const char *label, size_t len)
{
	if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(label[i]) && label[i] != '-')
			return false;
	return true;
}

static bool valid_hostname(const char *host)
{
	const char *p = host;
	if (strlen(host) > 253)
		return false;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (!valid_label(p, len))
			return false;
		if (!dot)
			return true;
		p = dot + 1;
	}
}

pw_code pw_domain_normalize(const char *rule, char **out, pw_error *err)
{
	bool wildcard = false;
	const char *host = rule;
	char *trimmed, *ascii, *lower;
	size_t len;

	*out = NULL;
	if (!rule || !*rule)
		return pw_fail(err, PW_E_INVALID, "an empty domain was given; write a host name such as example.com");
	if (strstr(rule, "://") || strpbrk(rule, "/?#@ "))
		return pw_fail(err, PW_E_INVALID,
		               "'%s' is not a domain; give only the host name, such as example.com (not a URL)", rule);
	if (g_str_has_prefix(rule, "*.")) {
		wildcard = true;
		host = rule + 2;
	}
	if (g_hostname_is_ip_address(host)) {
		if (wildcard)
			return pw_fail(err, PW_E_INVALID, "'%s': a wildcard cannot stand before an IP address", rule);
		*out = g_ascii_strdown(host, -1);
		return PW_OK;
	}
	if (strchr(host, ':'))
		return pw_fail(err, PW_E_INVALID,
		               "'%s' has a port; approve the host name alone, such as example.com", rule);
	trimmed = g_strdup(host);
	len = strlen(trimmed);
	if (len > 0 && trimmed[len - 1] == '.')
		trimmed[len - 1] = '\0';
	ascii = g_utf8_validate(trimmed, -1, NULL) ? g_hostname_to_ascii(trimmed) : NULL;
	g_free(trimmed);
	if (!ascii)
		return pw_fail(err, PW_E_INVALID, "'%s' is not a valid host name", rule);
	lower = g_ascii_strdown(ascii, -1);
	g_free(ascii);
	if (!valid_hostname(lower)) {
		g_free(lower);
		return pw_fail(err, PW_E_INVALID,
		               "'%s' is not a valid host name: use letters, digits, '-' and '.', such as "
		               "example.com, or *.example.com for its subdomains",
		               rule);
	}
	if (wildcard && !strchr(lower, '.')) {
		g_free(lower);
		return pw_fail(err, PW_E_INVALID, "'%s' would approve every host under a top-level domain; "
		               "name the client's own domain, such as *.example.com", rule);
	}
	*out = wildcard ? g_strconcat("*.", lower, NULL) : g_strdup(lower);
	g_free(lower);
	return PW_OK;
}

bool pw_domain_matches(const char *rule, const char *host)
{
	if (g_str_has_prefix(rule, "*.")) {
		size_t hl = strlen(host), sl = strlen(rule + 1); /* ".example.com" */
		return hl > sl && strcmp(host + hl - sl, rule + 1) == 0;
	}
	return strcmp(rule, host) == 0;
}

pw_code pw_username_normalize(const char *typed, char **out, pw_error *err)
{
	const char *name = typed && typed[0] == '@' ? typed + 1 : typed;
	size_t len;

	*out = NULL;
	if (!name || !*name)
		return pw_fail(err, PW_E_INVALID, "an empty Pinterest username was given");
	len = strlen(name);
	if (len > 100)
		return pw_fail(err, PW_E_INVALID, "the Pinterest username '%s' is longer than 100 characters", typed);
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
			return pw_fail(err, PW_E_INVALID,
			               "'%s' is not a Pinterest username: use the name from the profile address "
			               "(letters, digits, '_', '.', '-'), without spaces",
			               typed);
	*out = g_strdup(name);
	return PW_OK;
}
