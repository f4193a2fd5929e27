#include "config.h"

#include "pinwarden/crash.h"

#include <signal.h>
#include <string.h>

#include <glib.h>

void pw_crash_point(const char *name)
{
	const char *want = g_getenv("PINWARDEN_TEST_CRASH");
	if (want && strcmp(want, name) == 0)
		raise(SIGKILL);
}
