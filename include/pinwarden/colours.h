/* colours.h: the names of terminal colours, as themes and clients write
 * them: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black ... bright-white (8-15), color0 ... color255. */
#ifndef PINWARDEN_COLOURS_H
#define PINWARDEN_COLOURS_H

#include <stdbool.h>

#define PW_COLOUR_DEFAULT (-1)

/* What to write, for messages. */
#define PW_COLOURS_HELP \
	"use default, black, red, green, yellow, blue, magenta, cyan, white, bright-black ... bright-white, " \
	"or color0 ... color255"

/* The number of a colour name (letter case ignored): 0-255, or
 * PW_COLOUR_DEFAULT for "default". False when it is not one. */
bool pw_colour_parse(const char *word, short *out);

#endif
