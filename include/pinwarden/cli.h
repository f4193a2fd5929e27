/* cli.h: the command-line front end. */
#ifndef PINWARDEN_CLI_H
#define PINWARDEN_CLI_H

#include <stdio.h>

/* Exit statuses, documented in pinwarden(1). */
enum {
	PW_EXIT_OK = 0,
	PW_EXIT_FAILED = 1, /* the operation failed, or the log is not intact */
	PW_EXIT_USAGE = 2,  /* the command line, or a value on it, is wrong */
};

/* Runs one command line. Output goes to out, messages to err. */
int pw_cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
