#include "config.h"

#include "tui.h"

void oncall_start(pw_console *c, pw_action a)
{
	(void)a;
	console_message(c, true, "not yet");
}

pw_code oncall_next_problem(pw_console *c, pw_error *err)
{
	(void)c;
	(void)err;
	return PW_OK;
}
