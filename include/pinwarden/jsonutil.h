/* jsonutil.h: the two ways pinwarden writes a field that may be absent
 * into JSON: an id that is 0 and a string that is NULL both become null. */
#ifndef PINWARDEN_JSONUTIL_H
#define PINWARDEN_JSONUTIL_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

static inline void pw_json_id(cJSON *obj, const char *key, sqlite3_int64 id)
{
	if (id)
		cJSON_AddNumberToObject(obj, key, (double)id);
	else
		cJSON_AddNullToObject(obj, key);
}

static inline void pw_json_string(cJSON *obj, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(obj, key, value);
	else
		cJSON_AddNullToObject(obj, key);
}

#endif
