#include "util/buf.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->toobig = 0;
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	b->toobig = 0;
}

static int buf_grow(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > b->max || b->len > b->max - extra) {
		buf_release(b);
		b->toobig = 1;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap * 2;
	if (b->cap > b->max + 1)
		b->cap = b->max + 1;
	b->data = xrealloc(b->data, b->cap);
	return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
	return buf_grow(b, n);
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *buf_take(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int errorf(struct buf *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	buf_reset(err);
	va_start(ap, fmt);
	if (buf_vprintf(err, fmt, ap) < 0)
		buf_reset(err);
	va_end(ap);
	return -1;
}

int error_prefix(struct buf *err, const char *fmt, ...)
{
	struct buf msg;
	va_list ap;

	if (!err)
		return -1;
	buf_init(&msg, err->max);
	va_start(ap, fmt);
	if (buf_vprintf(&msg, fmt, ap) == 0 && buf_puts(&msg, ": ") == 0 &&
	    buf_puts(&msg, buf_str(err)) == 0) {
		buf_release(err);
		err->data = msg.data;
		err->len = msg.len;
		err->cap = msg.cap;
	} else {
		buf_release(&msg);
	}
	va_end(ap);
	return -1;
}
