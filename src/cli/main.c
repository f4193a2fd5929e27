#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "pinwarden/cli.h"

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	return pw_cli_main(argc, argv, stdout, stderr);
}
