#include "config.h"

#include "tui.h"

void offboard_start(pw_console *c)
{
	console_message(c, true, "not yet");
}
