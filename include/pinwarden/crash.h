/* crash.h: where tests stop the process as a crash or a power cut
 * would, to check that what was on disk by then is enough. */
#ifndef PINWARDEN_CRASH_H
#define PINWARDEN_CRASH_H

/* Kills the process with SIGKILL when PINWARDEN_TEST_CRASH names this
 * point; otherwise does nothing. */
void pw_crash_point(const char *name);

#endif
