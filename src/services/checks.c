#include "config.h"

#include "pinwarden/checks.h"

static void check_free(pw_check *c)
{
	g_free(c->name);
	g_free(c->detail);
	g_free(c);
}

GPtrArray *pw_checks_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)check_free);
}

pw_check *pw_checks_add(GPtrArray *checks, const char *name, bool ok, const char *fmt, ...)
{
	pw_check *c = g_new0(pw_check, 1);
	va_list ap;
	c->name = g_strdup(name);
	c->ok = ok;
	va_start(ap, fmt);
	c->detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(checks, c);
	return c;
}

const pw_check *pw_checks_first_failure(GPtrArray *checks)
{
	for (guint i = 0; i < checks->len; i++) {
		const pw_check *c = g_ptr_array_index(checks, i);
		if (!c->ok)
			return c;
	}
	return NULL;
}

cJSON *pw_checks_json(GPtrArray *checks)
{
	cJSON *arr = cJSON_CreateArray();
	for (guint i = 0; i < checks->len; i++) {
		const pw_check *c = g_ptr_array_index(checks, i);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "check", c->name);
		cJSON_AddBoolToObject(o, "ok", c->ok);
		cJSON_AddStringToObject(o, "detail", c->detail);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}
