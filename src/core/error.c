#include "config.h"

#include "pinwarden/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

pw_code pw_fail(pw_error *err, pw_code code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return code;
}

pw_code pw_error_prefix(pw_error *err, const char *fmt, ...)
{
	char *prefix, *joined;
	va_list ap;

	if (!err)
		return PW_E_INTERNAL;
	va_start(ap, fmt);
	prefix = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	joined = g_strconcat(prefix, ": ", err->message, NULL);
	g_strlcpy(err->message, joined, sizeof err->message);
	g_free(joined);
	g_free(prefix);
	return err->code;
}

void pw_error_clear(pw_error *err)
{
	if (err) {
		err->code = PW_OK;
		err->message[0] = '\0';
	}
}

const char *pw_code_name(pw_code code)
{
	static const char *const names[] = {
		[PW_OK] = "ok",
		[PW_E_INVALID] = "invalid",
		[PW_E_NOT_FOUND] = "not_found",
		[PW_E_AMBIGUOUS] = "ambiguous",
		[PW_E_EXISTS] = "exists",
		[PW_E_CONFLICT] = "conflict",
		[PW_E_PERMISSION] = "permission",
		[PW_E_READONLY] = "read_only",
		[PW_E_BUSY] = "busy",
		[PW_E_FULL] = "disk_full",
		[PW_E_CORRUPT] = "corrupt",
		[PW_E_TOO_NEW] = "too_new",
		[PW_E_MISSING] = "missing",
		[PW_E_IO] = "io",
		[PW_E_TAMPERED] = "tampered",
		[PW_E_API] = "api",
		[PW_E_INTERNAL] = "internal",
	};
	if ((unsigned)code < G_N_ELEMENTS(names) && names[code])
		return names[code];
	return "unknown";
}
