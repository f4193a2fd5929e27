#include "config.h"

#include "pinwarden/colours.h"

#include <string.h>

#include <glib.h>

/* In the order of their numbers, which are curses' COLOR_* values and the
 * usual 16-colour palette: 0-7 then their bright forms 8-15. */
static const char *const colour_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};

bool pw_colour_parse(const char *word, short *out)
{
	if (g_ascii_strcasecmp(word, "default") == 0) {
		*out = PW_COLOUR_DEFAULT;
		return true;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(colour_names); i++) {
		if (g_ascii_strcasecmp(word, colour_names[i]) == 0) {
			*out = (short)i;
			return true;
		}
	}
	if (g_ascii_strncasecmp(word, "color", 5) == 0) {
		const char *d = word + 5;
		size_t n = strlen(d);
		int v = 0;

		if (n < 1 || n > 3)
			return false;
		for (size_t i = 0; i < n; i++) {
			if (!g_ascii_isdigit(d[i]))
				return false;
			v = v * 10 + (d[i] - '0');
		}
		if (v > 255)
			return false;
		*out = (short)v;
		return true;
	}
	return false;
}
