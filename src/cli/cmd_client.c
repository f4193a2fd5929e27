#include "config.h"

#include <string.h>

#include "cli_private.h"
#include "pinwarden/accounts.h"
#include "pinwarden/clients.h"
#include "pinwarden/timeutil.h"

int cmd_init(pw_cli *cli, int argc, char **argv)
{
	int status = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL);
	if (status >= 0)
		return status;
	if (optind < argc)
		return cli_usage(cli, "'init' takes no arguments");
	status = cli_open(cli, PW_OPEN_CREATE);
	if (status >= 0)
		return status;
	fprintf(cli->out, "%s workspace %s (id %s)\n",
	        pw_store_created(cli->store) ? "created" : "already a", pw_store_workspace(cli->store),
	        pw_store_workspace_id(cli->store));
	return PW_EXIT_OK;
}

/* ---- options shared by add and edit ---------------------------------- */

enum {
	OPT_CONTACT = 0x100, OPT_NOTES, OPT_COLOUR, OPT_DOMAIN, OPT_LINK_DOMAIN, OPT_IMAGE_DOMAIN, OPT_BOARD,
	OPT_EXPECT, OPT_NAME, OPT_REMOVE_DOMAIN, OPT_REMOVE_BOARD, OPT_ALL, OPT_JSON,
};

typedef struct client_opts {
	const char *name, *contact, *notes, *colour;
	GPtrArray *link, *image, *remove_domains, *boards, *remove_boards, *accounts;
	bool all, json;
} client_opts;

static void client_opts_init(client_opts *o)
{
	memset(o, 0, sizeof *o);
	o->link = g_ptr_array_new_with_free_func(g_free);
	o->image = g_ptr_array_new_with_free_func(g_free);
	o->remove_domains = g_ptr_array_new_with_free_func(g_free);
	o->boards = g_ptr_array_new_with_free_func(g_free);
	o->remove_boards = g_ptr_array_new_with_free_func(g_free);
	o->accounts = g_ptr_array_new_with_free_func(g_free);
}

static void client_opts_clear(client_opts *o)
{
	g_ptr_array_unref(o->link);
	g_ptr_array_unref(o->image);
	g_ptr_array_unref(o->remove_domains);
	g_ptr_array_unref(o->boards);
	g_ptr_array_unref(o->remove_boards);
	g_ptr_array_unref(o->accounts);
}

static int on_client_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	client_opts *o = ud;
	(void)cli;
	switch (opt) {
	case OPT_CONTACT: o->contact = arg; break;
	case OPT_NOTES: o->notes = arg; break;
	case OPT_COLOUR: o->colour = arg; break;
	case OPT_NAME: o->name = arg; break;
	case OPT_DOMAIN:
		g_ptr_array_add(o->link, g_strdup(arg));
		g_ptr_array_add(o->image, g_strdup(arg));
		break;
	case OPT_LINK_DOMAIN: g_ptr_array_add(o->link, g_strdup(arg)); break;
	case OPT_IMAGE_DOMAIN: g_ptr_array_add(o->image, g_strdup(arg)); break;
	case OPT_REMOVE_DOMAIN: g_ptr_array_add(o->remove_domains, g_strdup(arg)); break;
	case OPT_BOARD: g_ptr_array_add(o->boards, g_strdup(arg)); break;
	case OPT_REMOVE_BOARD: g_ptr_array_add(o->remove_boards, g_strdup(arg)); break;
	case OPT_EXPECT: g_ptr_array_add(o->accounts, g_strdup(arg)); break;
	case OPT_ALL: o->all = true; break;
	case OPT_JSON: o->json = true; break;
	default: return cli_usage(cli, "unexpected option");
	}
	return -1;
}

static const struct option add_opts[] = {
	{ "contact", required_argument, NULL, OPT_CONTACT },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "colour", required_argument, NULL, OPT_COLOUR },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "link-domain", required_argument, NULL, OPT_LINK_DOMAIN },
	{ "image-domain", required_argument, NULL, OPT_IMAGE_DOMAIN },
	{ "board", required_argument, NULL, OPT_BOARD },
	{ "expect-account", required_argument, NULL, OPT_EXPECT },
	{ NULL, 0, NULL, 0 },
};

static const struct option edit_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "contact", required_argument, NULL, OPT_CONTACT },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "colour", required_argument, NULL, OPT_COLOUR },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "link-domain", required_argument, NULL, OPT_LINK_DOMAIN },
	{ "image-domain", required_argument, NULL, OPT_IMAGE_DOMAIN },
	{ "remove-domain", required_argument, NULL, OPT_REMOVE_DOMAIN },
	{ "board", required_argument, NULL, OPT_BOARD },
	{ "remove-board", required_argument, NULL, OPT_REMOVE_BOARD },
	{ "expect-account", required_argument, NULL, OPT_EXPECT },
	{ NULL, 0, NULL, 0 },
};

static const struct option list_opts[] = {
	{ "all", no_argument, NULL, OPT_ALL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

/* Exactly one NAME after the options. */
static int one_name(pw_cli *cli, int argc, char **argv, const char **name)
{
	if (optind >= argc)
		return cli_usage(cli, "the client's name is missing");
	if (optind + 1 < argc)
		return cli_usage(cli, "one client name was expected, but '%s' follows it (quote a name with spaces)",
		                 argv[optind + 1]);
	*name = argv[optind];
	return -1;
}

/* ---- JSON ------------------------------------------------------------ */

static cJSON *strings_json(GPtrArray *list)
{
	cJSON *arr = cJSON_CreateArray();
	for (guint i = 0; list && i < list->len; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(g_ptr_array_index(list, i)));
	return arr;
}

static cJSON *client_json(const pw_client *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "contact", c->contact);
	cJSON_AddStringToObject(o, "notes", c->notes);
	pw_json_string(o, "colour", c->colour);
	cJSON_AddBoolToObject(o, "archived", c->archived);
	pw_json_string(o, "archived_at", c->archived_at);
	cJSON_AddStringToObject(o, "created_at", c->created_at);
	cJSON_AddStringToObject(o, "created_by", c->created_by);
	cJSON_AddItemToObject(o, "link_domains", strings_json(c->link_domains));
	cJSON_AddItemToObject(o, "image_domains", strings_json(c->image_domains));
	cJSON_AddItemToObject(o, "boards_in_scope", strings_json(c->boards));
	cJSON_AddItemToObject(o, "expected_accounts", strings_json(c->accounts));
	return o;
}

/* ---- the commands ---------------------------------------------------- */

int cmd_client_add(pw_cli *cli, int argc, char **argv)
{
	client_opts o;
	pw_client_spec spec;
	pw_error err = { 0 };
	sqlite3_int64 id;
	const char *name = NULL;
	int status;

	client_opts_init(&o);
	status = cli_parse(cli, argc, argv, "", add_opts, on_client_opt, &o);
	if (status < 0)
		status = one_name(cli, argc, argv, &name);
	if (status < 0 && !o.contact)
		status = cli_usage(cli, "--contact is required: who at '%s' authorizes publishing on their accounts?", name);
	spec = (pw_client_spec){ .name = name, .contact = o.contact, .notes = o.notes, .colour = o.colour, .link_domains = o.link,
	                         .image_domains = o.image, .boards = o.boards, .accounts = o.accounts };
	/* Bad input is refused before a workspace is created for it. */
	if (status < 0 && pw_client_check(&spec, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status < 0)
		status = cli_open(cli, PW_OPEN_CREATE);
	if (status < 0) {
		if (pw_client_add(cli->store, &spec, &id, &err) != PW_OK) {
			status = cli_fail(cli, &err);
		} else {
			fprintf(cli->out, "added client '%s' (%u account%s expected)\n", name, o.accounts->len,
			        o.accounts->len == 1 ? "" : "s");
			if (o.link->len == 0 && o.image->len == 0)
				fprintf(cli->err, "note: no domain is approved yet, so nothing can be published for '%s' "
				                  "until one is (pinwarden client edit '%s' --domain HOST)\n", name, name);
			status = PW_EXIT_OK;
		}
	}
	client_opts_clear(&o);
	return status;
}

static char *joined(GPtrArray *list, const char *none)
{
	GString *s;
	if (!list || list->len == 0)
		return g_strdup(none);
	s = g_string_new(NULL);
	for (guint i = 0; i < list->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(list, i));
	return g_string_free(s, FALSE);
}

int cmd_client_list(pw_cli *cli, int argc, char **argv)
{
	client_opts o;
	pw_error err = { 0 };
	GPtrArray *list = NULL;
	int status;

	client_opts_init(&o);
	status = cli_parse(cli, argc, argv, "", list_opts, on_client_opt, &o);
	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'client list' takes no arguments; to see one client use 'client show NAME'");
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0 && pw_client_list(cli->store, o.all, &list, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status < 0 && o.json) {
		cJSON *arr = cJSON_CreateArray();
		for (guint i = 0; i < list->len; i++)
			cJSON_AddItemToArray(arr, client_json(g_ptr_array_index(list, i)));
		cli_print_json(cli, arr);
		cJSON_Delete(arr);
		status = PW_EXIT_OK;
	} else if (status < 0 && list->len == 0) {
		fprintf(cli->out, "no clients%s yet; onboard one with 'pinwarden client add NAME --contact TEXT'\n",
		        o.all ? "" : " (not archived)");
		status = PW_EXIT_OK;
	} else if (status < 0) {
		static const char *const headers[] = { "CLIENT", "CONTACT", "ACCOUNTS", "BOARDS", "DOMAINS", "STATE" };
		static const guint max[] = { 40, 40, 40, 0, 40, 0 };
		cli_table *t = cli_table_new(6, headers, max);
		for (guint i = 0; i < list->len; i++) {
			pw_client *c = g_ptr_array_index(list, i);
			char *accounts = joined(c->accounts, "-");
			char *boards = g_strdup_printf("%u", c->boards->len);
			GPtrArray *domains = g_ptr_array_new_with_free_func(g_free);
			char *dom;
			for (guint k = 0; k < c->link_domains->len; k++)
				g_ptr_array_add(domains, g_strdup(g_ptr_array_index(c->link_domains, k)));
			for (guint k = 0; k < c->image_domains->len; k++) {
				const char *d = g_ptr_array_index(c->image_domains, k);
				bool dup = false;
				for (guint m = 0; m < c->link_domains->len; m++)
					dup = dup || strcmp(d, g_ptr_array_index(c->link_domains, m)) == 0;
				if (!dup)
					g_ptr_array_add(domains, g_strdup(d));
			}
			dom = joined(domains, "-");
			cli_table_add(t, c->name, c->contact, accounts, boards, dom, c->archived ? "archived" : "active");
			g_free(accounts);
			g_free(boards);
			g_free(dom);
			g_ptr_array_unref(domains);
		}
		cli_table_print(t, cli->out);
		cli_table_free(t);
		status = PW_EXIT_OK;
	}
	if (list)
		g_ptr_array_unref(list);
	client_opts_clear(&o);
	return status;
}

int cmd_client_show(pw_cli *cli, int argc, char **argv)
{
	client_opts o;
	pw_error err = { 0 };
	pw_client *c = NULL;
	GPtrArray *accounts = NULL;
	const char *name = NULL;
	int status;

	client_opts_init(&o);
	status = cli_parse(cli, argc, argv, "", json_opts, on_client_opt, &o);
	if (status < 0)
		status = one_name(cli, argc, argv, &name);
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0 && (pw_client_find(cli->store, name, &c, &err) != PW_OK ||
	                   pw_account_list(cli->store, c->id, &accounts, &err) != PW_OK))
		status = cli_fail(cli, &err);
	if (status < 0 && o.json) {
		cJSON *j = client_json(c);
		cJSON *arr = cJSON_AddArrayToObject(j, "accounts");
		for (guint i = 0; i < accounts->len; i++) {
			pw_account *a = g_ptr_array_index(accounts, i);
			cJSON *aj = cJSON_CreateObject();
			cJSON_AddStringToObject(aj, "expected_username", a->expected_username);
			pw_json_string(aj, "username", a->username);
			cJSON_AddStringToObject(aj, "state", a->state);
			cJSON_AddItemToArray(arr, aj);
		}
		cli_print_json(cli, j);
		cJSON_Delete(j);
		status = PW_EXIT_OK;
	} else if (status < 0) {
		char *created = pw_time_to_local(c->created_at);
		char *link = joined(c->link_domains, "none approved");
		char *image = joined(c->image_domains, "none approved");
		char *boards = joined(c->boards, "none in scope");
		FILE *f = cli->out;
		fprintf(f, "client      %s%s\n", c->name, c->archived ? "  (archived)" : "");
		fprintf(f, "contact     %s\n", c->contact);
		fprintf(f, "links       %s\n", link);
		fprintf(f, "images      %s\n", image);
		fprintf(f, "boards      %s\n", boards);
		fprintf(f, "onboarded   %s by %s\n", created, c->created_by);
		if (c->archived) {
			char *when = pw_time_to_local(c->archived_at);
			fprintf(f, "archived    %s\n", when);
			g_free(when);
		}
		if (c->notes[0])
			fprintf(f, "notes       %s\n", c->notes);
		if (c->colour)
			fprintf(f, "colour      %s\n", c->colour);
		fprintf(f, "accounts%s\n", accounts->len ? "" : "    none expected");
		for (guint i = 0; i < accounts->len; i++) {
			pw_account *a = g_ptr_array_index(accounts, i);
			fprintf(f, "  %-24s %s%s%s\n", a->expected_username, a->state, a->state_reason ? ": " : "",
			        a->state_reason ? a->state_reason : "");
		}
		g_free(created);
		g_free(link);
		g_free(image);
		g_free(boards);
		status = PW_EXIT_OK;
	}
	if (accounts)
		g_ptr_array_unref(accounts);
	pw_client_free(c);
	client_opts_clear(&o);
	return status;
}

int cmd_client_edit(pw_cli *cli, int argc, char **argv)
{
	client_opts o;
	pw_error err = { 0 };
	const char *name = NULL;
	int status;

	client_opts_init(&o);
	status = cli_parse(cli, argc, argv, "", edit_opts, on_client_opt, &o);
	if (status < 0)
		status = one_name(cli, argc, argv, &name);
	if (status < 0 && !o.name && !o.contact && !o.notes && !o.colour && !o.link->len && !o.image->len &&
	    !o.remove_domains->len && !o.boards->len && !o.remove_boards->len && !o.accounts->len)
		status = cli_usage(cli, "say what to change: the options are listed below");
	if (status < 0)
		status = cli_open(cli, PW_OPEN_WRITE);
	if (status < 0) {
		pw_client_edit e = { .name = o.name, .contact = o.contact, .notes = o.notes, .colour = o.colour,
		                     .add_link_domains = o.link, .add_image_domains = o.image,
		                     .remove_domains = o.remove_domains, .add_boards = o.boards,
		                     .remove_boards = o.remove_boards, .add_accounts = o.accounts };
		if (pw_client_update(cli->store, name, &e, &err) != PW_OK) {
			status = cli_fail(cli, &err);
		} else {
			fprintf(cli->out, "changed client '%s'\n", o.name ? o.name : name);
			status = PW_EXIT_OK;
		}
	}
	client_opts_clear(&o);
	return status;
}

int cmd_client_archive(pw_cli *cli, int argc, char **argv)
{
	pw_error err = { 0 };
	const char *name = NULL;
	int status = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL);

	if (status < 0)
		status = one_name(cli, argc, argv, &name);
	if (status < 0)
		status = cli_open(cli, PW_OPEN_WRITE);
	if (status >= 0)
		return status;
	if (pw_client_archive(cli->store, name, &err) != PW_OK)
		return cli_fail(cli, &err);
	fprintf(cli->out, "archived client '%s'; its history stays in the activity log\n", name);
	return PW_EXIT_OK;
}
