/* schema.h (private to the store): the versioned migrations. */
#ifndef PINWARDEN_SCHEMA_H
#define PINWARDEN_SCHEMA_H

#include <glib.h>

#include "pinwarden/store.h"

/* The SQL that takes the schema from `from_version` to the next. */
const char *pw_schema_migration(int from_version);

#endif
