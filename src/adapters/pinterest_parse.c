#include "config.h"

#include "pinwarden/pinterest_parse.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ---- reading fields ------------------------------------------------- */

/* A copy of a string field; NULL when absent or null. A number where a
 * string is expected (ids) is accepted as its integer text. Any other
 * type is a wrong shape: *bad is set. */
static char *get_string(const cJSON *obj, const char *key, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return NULL;
	if (cJSON_IsString(v) && v->valuestring)
		return g_strdup(v->valuestring);
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 9007199254740992.0 &&
	    !(v->valuedouble - floor(v->valuedouble) > 0.0))
		return g_strdup_printf("%.0f", v->valuedouble);
	*bad = true;
	return NULL;
}

/* An integer field; 0 when absent or null. A numeric string is accepted. */
static gint64 get_int(const cJSON *obj, const char *key, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 9.2e18)
		return (gint64)v->valuedouble;
	if (cJSON_IsString(v) && v->valuestring) {
		char *end;
		gint64 n = g_ascii_strtoll(v->valuestring, &end, 10);
		if (end != v->valuestring && *end == '\0')
			return n;
	}
	*bad = true;
	return 0;
}

static const char *shape_of(const cJSON *v)
{
	if (!v)
		return "nothing";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "null";
}

/* Parses the body, which must be one JSON object and nothing more. */
static cJSON *parse_object(const char *body, size_t len, const char *what, pw_error *err)
{
	const char *end = NULL;
	cJSON *json;

	if (!body || len == 0) {
		pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s was empty", what);
		return NULL;
	}
	json = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!json) {
		pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s is not valid JSON (malformed or cut short)", what);
		return NULL;
	}
	if (end) {
		while ((size_t)(end - body) < len && g_ascii_isspace(*end))
			end++;
		if ((size_t)(end - body) < len) {
			cJSON_Delete(json);
			pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has data after its JSON", what);
			return NULL;
		}
	}
	if (!cJSON_IsObject(json)) {
		pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s is %s where an object was expected", what,
		        shape_of(json));
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static pw_code wrong_shape(pw_error *err, const char *what, const char *field)
{
	return pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has an unexpected %s", what, field);
}

/* ---- tokens ----------------------------------------------------------- */

void pw_secret_wipe(char *secret)
{
	if (secret) {
		volatile char *p = secret;
		while (*p)
			*p++ = '\0';
	}
}

void pw_tokens_clear(pw_tokens *t)
{
	if (!t)
		return;
	pw_secret_wipe(t->access_token);
	pw_secret_wipe(t->refresh_token);
	g_free(t->access_token);
	g_free(t->refresh_token);
	g_free(t->token_type);
	g_free(t->scope);
	g_free(t->response_type);
	memset(t, 0, sizeof *t);
}

static void wipe_json_strings(cJSON *item)
{
	for (; item; item = item->next) {
		if (cJSON_IsString(item) && item->valuestring)
			pw_secret_wipe(item->valuestring);
		wipe_json_strings(item->child);
	}
}

pw_code pw_parse_tokens(const char *body, size_t len, pw_tokens *out, pw_error *err)
{
	static const char what[] = "the token request";
	cJSON *json = parse_object(body, len, what, err);
	bool bad = false;
	pw_code rc = PW_OK;

	memset(out, 0, sizeof *out);
	if (!json)
		return PW_E_INVALID;
	out->access_token = get_string(json, "access_token", &bad);
	out->refresh_token = get_string(json, "refresh_token", &bad);
	out->token_type = get_string(json, "token_type", &bad);
	out->scope = get_string(json, "scope", &bad);
	out->response_type = get_string(json, "response_type", &bad);
	out->expires_in = get_int(json, "expires_in", &bad);
	out->refresh_token_expires_in = get_int(json, "refresh_token_expires_in", &bad);
	out->refresh_token_expires_at = get_int(json, "refresh_token_expires_at", &bad);
	if (bad)
		rc = wrong_shape(err, what, "field type");
	else if (!out->access_token || !*out->access_token)
		rc = pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has no access_token", what);
	else if (out->expires_in <= 0)
		rc = pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has no positive expires_in", what);
	else if (out->token_type && g_ascii_strcasecmp(out->token_type, "bearer") != 0)
		rc = pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has token_type '%s', not bearer", what,
		             out->token_type);
	/* The parsed tree held the tokens too. */
	wipe_json_strings(json);
	cJSON_Delete(json);
	if (rc != PW_OK)
		pw_tokens_clear(out);
	return rc;
}

/* ---- user account ---------------------------------------------------- */

void pw_user_account_clear(pw_user_account *u)
{
	if (!u)
		return;
	g_free(u->username);
	g_free(u->id);
	g_free(u->account_type);
	g_free(u->business_name);
	g_free(u->profile_image);
	g_free(u->website_url);
	memset(u, 0, sizeof *u);
}

pw_code pw_parse_user_account(const char *body, size_t len, pw_user_account *out, pw_error *err)
{
	static const char what[] = "the user account";
	cJSON *json = parse_object(body, len, what, err);
	bool bad = false;
	pw_code rc = PW_OK;

	memset(out, 0, sizeof *out);
	if (!json)
		return PW_E_INVALID;
	out->username = get_string(json, "username", &bad);
	out->id = get_string(json, "id", &bad);
	out->account_type = get_string(json, "account_type", &bad);
	out->business_name = get_string(json, "business_name", &bad);
	out->profile_image = get_string(json, "profile_image", &bad);
	out->website_url = get_string(json, "website_url", &bad);
	out->board_count = get_int(json, "board_count", &bad);
	out->pin_count = get_int(json, "pin_count", &bad);
	out->follower_count = get_int(json, "follower_count", &bad);
	cJSON_Delete(json);
	if (bad)
		rc = wrong_shape(err, what, "field type");
	else if (!out->username || !*out->username)
		rc = pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has no username", what);
	if (rc != PW_OK)
		pw_user_account_clear(out);
	return rc;
}

/* ---- boards, sections, pins ------------------------------------------ */

void pw_api_board_free(pw_api_board *b)
{
	if (!b)
		return;
	g_free(b->id);
	g_free(b->name);
	g_free(b->description);
	g_free(b->privacy);
	g_free(b->owner_username);
	g_free(b);
}

void pw_api_section_free(pw_api_section *s)
{
	if (!s)
		return;
	g_free(s->id);
	g_free(s->name);
	g_free(s);
}

void pw_api_pin_clear(pw_api_pin *p)
{
	if (!p)
		return;
	g_free(p->id);
	g_free(p->created_at);
	g_free(p->board_id);
	g_free(p->board_section_id);
	g_free(p->board_owner);
	g_free(p->title);
	g_free(p->description);
	g_free(p->link);
	g_free(p->alt_text);
	g_free(p->dominant_color);
	g_free(p->media_type);
	g_free(p->image_url);
	memset(p, 0, sizeof *p);
}

void pw_api_pin_free(pw_api_pin *p)
{
	pw_api_pin_clear(p);
	g_free(p);
}

static bool read_board(const cJSON *item, gpointer *out)
{
	bool bad = false;
	pw_api_board *b = g_new0(pw_api_board, 1);
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(item, "owner");

	b->id = get_string(item, "id", &bad);
	b->name = get_string(item, "name", &bad);
	b->description = get_string(item, "description", &bad);
	b->privacy = get_string(item, "privacy", &bad);
	b->pin_count = get_int(item, "pin_count", &bad);
	if (cJSON_IsObject(owner))
		b->owner_username = get_string(owner, "username", &bad);
	if (bad || !b->id || !b->name) {
		pw_api_board_free(b);
		return false;
	}
	*out = b;
	return true;
}

static bool read_section(const cJSON *item, gpointer *out)
{
	bool bad = false;
	pw_api_section *s = g_new0(pw_api_section, 1);
	s->id = get_string(item, "id", &bad);
	s->name = get_string(item, "name", &bad);
	if (bad || !s->id) {
		pw_api_section_free(s);
		return false;
	}
	*out = s;
	return true;
}

/* The largest of media.images' sizes: what the Pin shows. */
static char *largest_image(const cJSON *media, bool *bad)
{
	const cJSON *images = cJSON_GetObjectItemCaseSensitive(media, "images");
	const cJSON *size;
	char *best = NULL;
	double best_area = -1; /* in double: the sizes are Pinterest's, and their product could overflow */

	if (!cJSON_IsObject(images))
		return NULL;
	cJSON_ArrayForEach(size, images) {
		double area;
		if (!cJSON_IsObject(size))
			continue;
		area = (double)get_int(size, "width", bad) * (double)get_int(size, "height", bad);
		if (area > best_area) {
			char *url = get_string(size, "url", bad);
			if (url) {
				g_free(best);
				best = url;
				best_area = area;
			}
		}
	}
	return best;
}

static bool fill_pin(const cJSON *item, pw_api_pin *p)
{
	bool bad = false;
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(item, "board_owner");
	const cJSON *media = cJSON_GetObjectItemCaseSensitive(item, "media");

	memset(p, 0, sizeof *p);
	p->id = get_string(item, "id", &bad);
	p->created_at = get_string(item, "created_at", &bad);
	p->board_id = get_string(item, "board_id", &bad);
	p->board_section_id = get_string(item, "board_section_id", &bad);
	p->title = get_string(item, "title", &bad);
	p->description = get_string(item, "description", &bad);
	p->link = get_string(item, "link", &bad);
	p->alt_text = get_string(item, "alt_text", &bad);
	p->dominant_color = get_string(item, "dominant_color", &bad);
	if (cJSON_IsObject(owner))
		p->board_owner = get_string(owner, "username", &bad);
	if (cJSON_IsObject(media)) {
		p->media_type = get_string(media, "media_type", &bad);
		p->image_url = largest_image(media, &bad);
	}
	if (bad || !p->id) {
		pw_api_pin_clear(p);
		return false;
	}
	return true;
}

static bool read_pin(const cJSON *item, gpointer *out)
{
	pw_api_pin *p = g_new0(pw_api_pin, 1);
	if (!fill_pin(item, p)) {
		g_free(p);
		return false;
	}
	*out = p;
	return true;
}

pw_code pw_parse_pin(const char *body, size_t len, pw_api_pin *out, pw_error *err)
{
	static const char what[] = "the Pin";
	cJSON *json = parse_object(body, len, what, err);
	bool ok;

	memset(out, 0, sizeof *out);
	if (!json)
		return PW_E_INVALID;
	ok = fill_pin(json, out);
	cJSON_Delete(json);
	return ok ? PW_OK : pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has no id or a field of the wrong type",
	                            what);
}

typedef bool (*read_item_fn)(const cJSON *item, gpointer *out);

static pw_code parse_page(const char *body, size_t len, const char *what, read_item_fn read_item,
                          GPtrArray *items, char **bookmark, pw_error *err)
{
	cJSON *json = parse_object(body, len, what, err);
	const cJSON *list, *item;
	bool bad = false;
	guint start = items->len;

	*bookmark = NULL;
	if (!json)
		return PW_E_INVALID;
	list = cJSON_GetObjectItemCaseSensitive(json, "items");
	if (!cJSON_IsArray(list)) {
		pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has %s where the items array was expected", what,
		        shape_of(list));
		cJSON_Delete(json);
		return PW_E_INVALID;
	}
	cJSON_ArrayForEach(item, list) {
		gpointer parsed = NULL;
		if (!cJSON_IsObject(item) || !read_item(item, &parsed)) {
			bad = true;
			break;
		}
		g_ptr_array_add(items, parsed);
	}
	if (!bad)
		*bookmark = get_string(json, "bookmark", &bad);
	cJSON_Delete(json);
	if (bad) {
		g_free(*bookmark);
		*bookmark = NULL;
		/* Drop this page's items: the caller sees all or nothing. */
		g_ptr_array_remove_range(items, start, items->len - start);
		return pw_fail(err, PW_E_INVALID, "Pinterest's answer for %s has an item without an id or with a field of "
		               "the wrong type", what);
	}
	if (*bookmark && !**bookmark) {
		g_free(*bookmark);
		*bookmark = NULL;
	}
	return PW_OK;
}

pw_code pw_parse_board_page(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err)
{
	return parse_page(body, len, "the list of boards", read_board, items, bookmark, err);
}

pw_code pw_parse_section_page(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err)
{
	return parse_page(body, len, "the list of board sections", read_section, items, bookmark, err);
}

pw_code pw_parse_pin_page(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err)
{
	return parse_page(body, len, "the list of Pins", read_pin, items, bookmark, err);
}

bool pw_parse_error_body(const char *body, size_t len, long *code, char *message, size_t message_size)
{
	cJSON *json = parse_object(body, len, "an error", NULL);
	const cJSON *c, *m;
	bool ok = false;

	*code = 0;
	if (message_size)
		message[0] = '\0';
	if (!json)
		return false;
	c = cJSON_GetObjectItemCaseSensitive(json, "code");
	m = cJSON_GetObjectItemCaseSensitive(json, "message");
	if (cJSON_IsNumber(c) && isfinite(c->valuedouble) && fabs(c->valuedouble) < 1e9) {
		*code = (long)c->valuedouble;
		ok = true;
	}
	if (cJSON_IsString(m) && m->valuestring) {
		g_strlcpy(message, m->valuestring, message_size);
		ok = true;
	}
	cJSON_Delete(json);
	return ok;
}
