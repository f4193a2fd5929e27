/* pinwarden demo: a demo workspace against a fake Pinterest, in a private
 * keyring, then the console (demo/pinwarden-demo does the work). For
 * trying pinwarden and for training new staff, on a machine with no
 * Pinterest app and no desktop. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli_private.h"

/* A file the demo needs: in $PINWARDEN_DEMO_DIR, beside an uninstalled
 * binary (the source tree's demo/ and tests/), or installed in
 * PW_DEMODIR. NULL when none exists. */
static char *demo_file(const char *exe_dir, const char *in_tree, const char *installed)
{
	const char *env = g_getenv("PINWARDEN_DEMO_DIR");
	char *path;

	if (env && *env) {
		path = g_build_filename(env, installed, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return path;
		g_free(path);
	}
	if (exe_dir) {
		path = g_build_filename(exe_dir, "..", in_tree, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return path;
		g_free(path);
	}
	path = g_build_filename(PW_DEMODIR, installed, NULL);
	if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return path;
	g_free(path);
	return NULL;
}

int cmd_demo(pw_cli *cli, int argc, char **argv)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
	char *script = demo_file(exe_dir, "demo/pinwarden-demo", "pinwarden-demo");
	char *fake = demo_file(exe_dir, "tests/fake-pinterest.py", "fake-pinterest.py");
	char *wrapper = demo_file(exe_dir, "tests/with-keyring", "with-keyring");
	int status = cli_parse(cli, argc, argv, "", NULL, NULL, NULL);

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'demo' takes no arguments");
	if (status < 0 && (!exe || !script || !fake || !wrapper)) {
		fprintf(cli->err,
		        "pinwarden: the demo's files are missing (looked in $PINWARDEN_DEMO_DIR, beside %s and in %s); "
		        "reinstall pinwarden, or run scripts/demo from a source tree\n",
		        exe ? exe : "this program", PW_DEMODIR);
		status = PW_EXIT_FAILED;
	}
	if (status < 0) {
		char sh[] = "sh";
		char *args[] = { sh, script, NULL };
		g_setenv("PINWARDEN_BIN", exe, TRUE);
		g_setenv("DEMO_FAKE", fake, TRUE);
		g_setenv("DEMO_WITH_KEYRING", wrapper, TRUE);
		fflush(NULL);
		execvp("sh", args);
		fprintf(cli->err, "pinwarden: cannot run the demo (%s): %s\n", script, g_strerror(errno));
		status = PW_EXIT_FAILED;
	}
	g_free(exe);
	g_free(exe_dir);
	g_free(script);
	g_free(fake);
	g_free(wrapper);
	return status;
}
