#include "config.h"

#include "tui.h"

void connect_start(pw_console *c)
{
	console_message(c, true, "not yet");
}
