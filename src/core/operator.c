#include "config.h"

#include "pinwarden/operator.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pinwarden/text.h"

static void first_word(const char *s, char *out, size_t size)
{
	size_t n = strcspn(s, " ");
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

pw_code pw_operator_detect(pw_operator *op, pw_error *err)
{
	const char *env = g_getenv("PINWARDEN_OPERATOR");
	const char *ssh;

	memset(op, 0, sizeof *op);
	if (env && *env) {
		if (pw_text_check_name("operator name in PINWARDEN_OPERATOR", env, 100, err) != PW_OK)
			return err ? err->code : PW_E_INVALID;
		g_strlcpy(op->name, env, sizeof op->name);
		op->source = "PINWARDEN_OPERATOR";
	} else {
		struct passwd *pw = getpwuid(geteuid());
		if (!pw || !pw->pw_name || !*pw->pw_name)
			return pw_fail(err, PW_E_INVALID,
			               "cannot tell who is acting: user id %u has no login name; set PINWARDEN_OPERATOR",
			               (unsigned)geteuid());
		g_strlcpy(op->name, pw->pw_name, sizeof op->name);
		op->source = "login";
	}

	ssh = g_getenv("SSH_CONNECTION");
	if (!ssh || !*ssh)
		ssh = g_getenv("SSH_CLIENT");
	if (ssh && *ssh)
		first_word(ssh, op->ssh_client, sizeof op->ssh_client);
	return PW_OK;
}
