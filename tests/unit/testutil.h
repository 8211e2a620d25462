/* testutil.h: temporary directories and files for the unit tests. */
#ifndef UP_TESTUTIL_H
#define UP_TESTUTIL_H

#include <stddef.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); the caller frees the
 * path after tu_rmtree(). */
char *tu_mkdtemp(void);
/* Removes a directory tree; quietly ignores what is already gone. */
void tu_rmtree(const char *path);
/* Writes TEXT to DIR/NAME, creating parent directories of NAME. */
void tu_write(const char *dir, const char *name, const char *text);
/* A malloc'ed "DIR/NAME". */
char *tu_path(const char *dir, const char *name);

#endif
