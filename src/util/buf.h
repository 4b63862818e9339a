/*
 * A growable byte buffer with a mandatory maximum size. The same type
 * carries request bodies, API responses, rendered HTML and error messages.
 * Invariant: buf_str() is always a NUL-terminated string. An append that
 * would pass the maximum frees the contents and returns -1, so a body over
 * the limit can never be half-kept.
 */
#ifndef AFFILIATED_BUF_H
#define AFFILIATED_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a)  __attribute__((format(printf, f, a)))

enum {
	BUF_SMALL = 4096,	     /* error messages, short strings */
	BUF_MEDIUM = 1024 * 1024,    /* pages, API answers */
	BUF_LARGE = 64 * 1024 * 1024 /* exports */
};

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len */
	int toobig; /* set when an append was refused */
};

void buf_init(struct buf *b, size_t max);
/* Frees the contents; the buffer can be reused with the same maximum. */
void buf_release(struct buf *b);
/* Empties without freeing. */
void buf_reset(struct buf *b);

/* Room for n more bytes in one allocation; -1 past the cap. */
int buf_reserve(struct buf *b, size_t n) WARN_UNUSED_RESULT;
int buf_append(struct buf *b, const void *p, size_t n) WARN_UNUSED_RESULT;
int buf_puts(struct buf *b, const char *s) WARN_UNUSED_RESULT;
int buf_putc(struct buf *b, char c) WARN_UNUSED_RESULT;
int buf_printf(struct buf *b, const char *fmt, ...)
	PRINTF_LIKE(2, 3) WARN_UNUSED_RESULT;
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	PRINTF_LIKE(2, 0) WARN_UNUSED_RESULT;

/* The contents as a string; "" when empty. */
const char *buf_str(const struct buf *b);
/* Hands the contents to the caller (free() them); the buffer is empty. */
char *buf_take(struct buf *b);

/*
 * Sets an error message: replaces what err holds (err may be NULL) and
 * returns -1, so that "return errorf(err, ...)" ends a failing function.
 */
int errorf(struct buf *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Prepends "what: " to an error message already in err; returns -1. */
int error_prefix(struct buf *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
