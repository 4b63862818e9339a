#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_INFO;

static const char *const level_names[LOG__COUNT] = {
	"debug", /* LOG_DEBUG */
	"info",	 /* LOG_INFO */
	"warn",	 /* LOG_WARN */
	"error", /* LOG_ERROR */
};

int log_level_parse(const char *name)
{
	int i;

	for (i = 0; i < LOG__COUNT; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

/* One line under construction; what does not fit is cut off. */
struct line {
	char *p;
	size_t n, cap; /* cap keeps room for the final newline */
};

static void put(struct line *l, const char *s, size_t len)
{
	if (len > l->cap - l->n)
		len = l->cap - l->n;
	memcpy(l->p + l->n, s, len);
	l->n += len;
}

/* A byte of a value as it may appear in the line. */
static void put_escaped(struct line *l, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = {'\\', (char)c, 0, 0};

	if (c == '\n' || c == '\r' || c == '\t')
		e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
	else if (c < 0x20 || c == 0x7f) {
		e[1] = 'x';
		e[2] = hex[c >> 4];
		e[3] = hex[c & 15];
		put(l, e, 4);
		return;
	} else if (c != '"' && c != '\\') {
		put(l, e + 1, 1);
		return;
	}
	put(l, e, 2);
}

static bool bare_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || c == '"' || c == '=' || c == '\\')
			return false;
	}
	return len > 0;
}

/*
 * A value inside the format's own quotes has its quotes, backslashes
 * and control bytes escaped; a bare one (key=%s) that holds a space, a
 * quote, '=' or any of those is quoted as well, so that no value can
 * end its field and start another (level=error event=...).
 */
static void put_value(struct line *l, const char *s, size_t len, bool quoted)
{
	bool wrap = !quoted && !bare_ok(s, len);
	size_t i;

	if (wrap)
		put(l, "\"", 1);
	for (i = 0; i < len; i++)
		put_escaped(l, (unsigned char)s[i]);
	if (wrap)
		put(l, "\"", 1);
}

/*
 * Copies one conversion spec from *f into spec (without the length
 * modifier, which goes into *len) with any '*' replaced by its int
 * argument, and returns the conversion character.
 */
static char take_spec(const char **f, char *spec, size_t n, char len[3],
		      va_list *ap)
{
	const char *c = *f + 1;
	size_t k = 1;

	spec[0] = '%';
	while (*c && strchr("-+ #0123456789.*", *c) && k + 12 < n) {
		if (*c == '*')
			k += (size_t)snprintf(spec + k, n - k, "%d",
					      va_arg(*ap, int));
		else
			spec[k++] = *c;
		c++;
	}
	len[0] = len[1] = len[2] = '\0';
	if (*c && strchr("hlzjt", *c)) {
		len[0] = *c++;
		if ((len[0] == 'h' || len[0] == 'l') && *c == len[0])
			len[1] = *c++;
	}
	spec[k] = '\0';
	*f = *c ? c + 1 : c;
	return *c;
}

/* The precision of a %s spec ("%.40s"), or SIZE_MAX. */
static size_t spec_precision(const char *spec)
{
	const char *dot = strchr(spec, '.');
	int64_t v;

	if (!dot)
		return SIZE_MAX;
	if (!dot[1])
		return 0;
	return parse_int_str(dot + 1, INT32_MAX, &v) == 0 ? (size_t)v
							  : SIZE_MAX;
}

/*
 * A number or a character, formatted as the spec says. The format is
 * built here, but from the caller's own spec, which the compiler checked
 * against its argument (PRINTF_LIKE on log_event).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void put_number(struct line *l, const char *spec, const char *len,
		       char conv, va_list *ap)
{
	char full[48], out[96];
	bool sign = conv == 'd' || conv == 'i';
	int n;

	snprintf(full, sizeof(full), "%s%s%c", spec, len, conv);
	if (conv == 'c' || (!len[0] && (conv == 'd' || conv == 'i')))
		n = snprintf(out, sizeof(out), full, va_arg(*ap, int));
	else if (!len[0] || len[0] == 'h')
		n = snprintf(out, sizeof(out), full, va_arg(*ap, unsigned));
	else if (len[0] == 'l' && !len[1])
		n = sign ? snprintf(out, sizeof(out), full, va_arg(*ap, long))
			 : snprintf(out, sizeof(out), full,
				    va_arg(*ap, unsigned long));
	else if (len[0] == 'l')
		n = sign ? snprintf(out, sizeof(out), full,
				    va_arg(*ap, long long))
			 : snprintf(out, sizeof(out), full,
				    va_arg(*ap, unsigned long long));
	else if (len[0] == 'z')
		n = snprintf(out, sizeof(out), full, va_arg(*ap, size_t));
	else if (len[0] == 'j')
		n = snprintf(out, sizeof(out), full, va_arg(*ap, intmax_t));
	else
		n = snprintf(out, sizeof(out), full, va_arg(*ap, ptrdiff_t));
	if (n > 0)
		put_value(l, out, strnlen(out, sizeof(out)), true);
}
#pragma GCC diagnostic pop

/*
 * Formats the fields: the format's own text is trusted and copied, and
 * every argument is written as an escaped value (see put_value).
 */
static void put_fields(struct line *l, const char *fmt, va_list *ap)
{
	bool quoted = false;
	char spec[64], len[3], conv, other[96];
	const char *f = fmt, *s;

	while (*f) {
		if (*f != '%') {
			quoted ^= *f == '"';
			put(l, f++, 1);
			continue;
		}
		conv = take_spec(&f, spec, sizeof(spec), len, ap);
		if (conv == '%') {
			put(l, "%", 1);
		} else if (conv == 's') {
			s = va_arg(*ap, const char *);
			if (!s)
				s = "(null)";
			put_value(l, s, strnlen(s, spec_precision(spec)),
				  quoted);
		} else if (conv == 'p') {
			snprintf(other, sizeof(other), "%p",
				 va_arg(*ap, void *));
			put(l, other, strlen(other));
		} else if (conv && strchr("diouxXc", conv)) {
			put_number(l, spec, len, conv, ap);
		} else {
			BUG("log format with an unsupported conversion");
		}
	}
}

/*
 * The line is built in memory and written with one write(2), so that
 * events from many threads never interleave and cost one system call.
 */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	char stamp[21], buf[4200];
	struct line l = {buf, 0, sizeof(buf) - 1};
	va_list ap;

	format_iso8601((int64_t)time(NULL), stamp);
	put(&l, "ts=", 3);
	put(&l, stamp, strlen(stamp));
	put(&l, " level=", 7);
	put(&l, level_names[level], strlen(level_names[level]));
	put(&l, " event=", 7);
	put_value(&l, event, strlen(event), false);
	if (fmt[0]) {
		put(&l, " ", 1);
		va_start(ap, fmt);
		put_fields(&l, fmt, &ap);
		va_end(ap);
	}
	buf[l.n++] = '\n';
	if (write(STDERR_FILENO, buf, l.n) < 0)
		return; /* nowhere left to say it */
}
