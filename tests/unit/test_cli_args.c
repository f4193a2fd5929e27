/* The command line's argument handling: exit statuses, messages, help,
 * and --json, through pw_cli_main as the program calls it. */
#include "config.h"

#include "helpers.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "../../src/cli/cli_private.h"
#include "pinwarden/cli.h"

typedef struct run {
	int status;
	char *out;
	char *err;
} run;

static char *slurp(FILE *f)
{
	long len;
	char *buf;
	fflush(f);
	len = ftell(f);
	buf = g_malloc0((gsize)len + 1);
	rewind(f);
	if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)
		fail_msg("short read");
	fclose(f);
	return buf;
}

/* Runs "pinwarden ARGS..." (NULL-terminated). */
static run cli(const char *first, ...)
{
	GPtrArray *argv = g_ptr_array_new();
	FILE *out = tmpfile(), *err = tmpfile();
	va_list ap;
	run r;

	g_ptr_array_add(argv, (gpointer)(guintptr) "pinwarden");
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(argv, (gpointer)(guintptr)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	r.status = pw_cli_main((int)argv->len - 1, (char **)argv->pdata, out, err);
	r.out = slurp(out);
	r.err = slurp(err);
	g_ptr_array_unref(argv);
	return r;
}

static void run_free(run *r)
{
	g_free(r->out);
	g_free(r->err);
}

static char *workspace;

static int setup(void **state)
{
	char *tmp = test_tempdir();
	(void)state;
	workspace = g_build_filename(tmp, "ws", NULL);
	g_free(tmp);
	g_setenv("PINWARDEN_WORKSPACE", workspace, TRUE);
	g_setenv("PINWARDEN_OPERATOR", "tester", TRUE);
	return 0;
}

static int teardown(void **state)
{
	char *parent = g_path_get_dirname(workspace);
	(void)state;
	test_rmtree(parent);
	g_free(parent);
	g_free(workspace);
	return 0;
}

static void help_lists_every_command(void **state)
{
	run r = cli("--help", NULL);
	(void)state;
	assert_int_equal(r.status, PW_EXIT_OK);
	for (const pw_command *c = pw_commands; c->name; c++) {
		char *line = g_strdup_printf("  %s%s%s ", c->group ? c->group : "", c->group ? " " : "", c->name);
		if (!strstr(r.out, line))
			fail_msg("--help does not list '%s'", line);
		g_free(line);
	}
	run_free(&r);
}

static void every_command_has_help(void **state)
{
	(void)state;
	for (const pw_command *c = pw_commands; c->name; c++) {
		run r = c->group ? cli(c->group, c->name, "--help", NULL) : cli(c->name, "--help", NULL);
		if (strcmp(c->name, "help") != 0) {
			assert_int_equal(r.status, PW_EXIT_OK);
			assert_non_null(strstr(r.out, "usage: pinwarden"));
			assert_non_null(strstr(r.out, c->name));
		}
		run_free(&r);
	}
}

static void no_command_without_a_terminal_says_the_console_needs_one(void **state)
{
	run r = cli(NULL);
	(void)state;
	assert_int_equal(r.status, PW_EXIT_USAGE);
	assert_non_null(strstr(r.err, "the console needs a terminal"));
	assert_false(g_file_test(workspace, G_FILE_TEST_EXISTS));
	run_free(&r);
}

static void usage_errors_exit_2_and_say_why(void **state)
{
	static const struct { const char *args[8]; const char *says; } cases[] = {
		{ { "clinet", "list" }, "did you mean 'client'" },
		{ { "client", "ad" }, "did you mean 'add'" },
		{ { "client" }, "usage: pinwarden client COMMAND" },
		{ { "client", "add" }, "name is missing" },
		{ { "client", "add", "Acme" }, "--contact is required" },
		{ { "client", "add", "Acme", "Extra", "--contact", "x" }, "quote a name with spaces" },
		{ { "client", "add", "Acme", "--contact" }, "needs a value" },
		{ { "client", "add", "Acme", "--contact", "x", "--flavour" }, "unknown option --flavour" },
		{ { "client", "add", "Acme", "--contact", "x", "--domain", "https://acme.example/" }, "not a domain" },
		{ { "client", "edit", "Acme" }, "say what to change" },
		{ { "job", "list", "--state", "lost" }, "not a job state" },
		{ { "job", "list", "--limit", "-3" }, "not a limit" },
		{ { "job", "show", "twelve" }, "not a job id" },
		{ { "log", "export" }, "--format is required" },
		{ { "log", "export", "--format", "xml" }, "not an export format" },
		{ { "log", "export", "--format", "csv", "--since", "lately" }, "not a time" },
		{ { "log", "tail", "-n", "0" }, "not a number of lines" },
		{ { "--frobnicate" }, "unknown option" },
	};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *const *a = cases[i].args;
		run r = cli(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
		if (r.status != PW_EXIT_USAGE || !strstr(r.err, cases[i].says))
			fail_msg("case %zu (%s %s): status %d, stderr: %s", i, a[0], a[1] ? a[1] : "", r.status, r.err);
		run_free(&r);
	}
}

static void readers_do_not_create_a_workspace(void **state)
{
	run r = cli("client", "list", NULL);
	(void)state;
	assert_int_equal(r.status, PW_EXIT_FAILED);
	assert_non_null(strstr(r.err, "PINWARDEN_WORKSPACE"));
	assert_non_null(strstr(r.err, "pinwarden init"));
	assert_false(g_file_test(workspace, G_FILE_TEST_EXISTS));
	run_free(&r);
}

static void json_lists_have_stable_fields(void **state)
{
	run r = cli("client", "add", "Acme \xe2\x80\x9cQuotes\xe2\x80\x9d", "--contact", "Ann", "--domain", "acme.example",
	            "--board", "Main", "--expect-account", "acme", NULL);
	cJSON *json, *first;
	static const char *const fields[] = { "id", "name", "contact", "notes", "archived", "archived_at",
	                                      "created_at", "created_by", "link_domains", "image_domains",
	                                      "boards_in_scope", "expected_accounts" };
	(void)state;
	assert_int_equal(r.status, PW_EXIT_OK);
	run_free(&r);

	r = cli("client", "list", "--json", NULL);
	assert_int_equal(r.status, PW_EXIT_OK);
	json = cJSON_Parse(r.out);
	assert_non_null(json);
	assert_true(cJSON_IsArray(json));
	first = cJSON_GetArrayItem(json, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		if (!cJSON_HasObjectItem(first, fields[i]))
			fail_msg("client list --json lacks '%s'", fields[i]);
	assert_string_equal(cJSON_GetObjectItem(first, "name")->valuestring, "Acme \xe2\x80\x9cQuotes\xe2\x80\x9d");
	assert_string_equal(cJSON_GetObjectItem(first, "created_by")->valuestring, "tester");
	cJSON_Delete(json);
	run_free(&r);

	r = cli("account", "list", "--json", NULL);
	json = cJSON_Parse(r.out);
	assert_non_null(json);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(json, 0), "state")->valuestring, "expected");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(json, 0), "username")));
	cJSON_Delete(json);
	run_free(&r);

	r = cli("job", "list", "--json", NULL);
	json = cJSON_Parse(r.out);
	assert_non_null(json);
	assert_int_equal(cJSON_GetArraySize(json), 0);
	cJSON_Delete(json);
	run_free(&r);
}

static void workspace_option_works_before_and_after_the_command(void **state)
{
	char *tmp = test_tempdir();
	char *other = g_build_filename(tmp, "other", NULL);
	run r;
	(void)state;

	r = cli("--workspace", other, "init", NULL);
	assert_int_equal(r.status, PW_EXIT_OK);
	assert_non_null(strstr(r.out, other));
	run_free(&r);
	r = cli("client", "add", "Elsewhere", "--contact", "c", "--workspace", other, NULL);
	assert_int_equal(r.status, PW_EXIT_OK);
	run_free(&r);
	r = cli("--workspace=" , NULL);
	run_free(&r);
	r = cli("client", "show", "Elsewhere", "--workspace", other, NULL);
	assert_int_equal(r.status, PW_EXIT_OK);
	assert_non_null(strstr(r.out, "Elsewhere"));
	run_free(&r);
	/* And the default workspace never saw it. */
	r = cli("client", "show", "Elsewhere", NULL);
	assert_int_not_equal(r.status, PW_EXIT_OK);
	run_free(&r);
	test_rmtree(tmp);
	g_free(other);
	g_free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(help_lists_every_command),
		cmocka_unit_test(every_command_has_help),
		cmocka_unit_test(no_command_without_a_terminal_says_the_console_needs_one),
		cmocka_unit_test(usage_errors_exit_2_and_say_why),
		cmocka_unit_test(readers_do_not_create_a_workspace),
		cmocka_unit_test(json_lists_have_stable_fields),
		cmocka_unit_test(workspace_option_works_before_and_after_the_command),
	};
	return cmocka_run_group_tests_name("command line", tests, setup, teardown);
}
