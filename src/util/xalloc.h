/* Allocation that aborts on out-of-memory: the one place OOM is handled. */
#ifndef AFFILIATED_XALLOC_H
#define AFFILIATED_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copies at most n bytes of s and terminates the copy. */
char *xstrndup(const char *s, size_t n);

/* Impossible states only; bad input is an error, never a BUG(). */
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))
_Noreturn void bug_at(const char *file, int line, const char *msg);

#endif
