#include "log.h"
#include "util/parse.h"

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

/*
 * Escapes the formatted fields: a newline or other control byte inside a
 * value becomes \n or \xNN, so one event is always one line. Backslashes
 * are escaped too, so values stay unambiguous to a parser.
 */
static size_t put_escaped(char *out, size_t room, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s && n + 4 < room; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r' || c == '\t' || c == '\\') {
			out[n++] = '\\';
			out[n++] = c == '\n'   ? 'n'
				   : c == '\r' ? 'r'
				   : c == '\t' ? 't'
					       : '\\';
		} else if (c < 0x20 || c == 0x7f) {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	return n;
}

/*
 * The line is built in memory and written with one write(2), so that
 * events from many threads never interleave and cost one system call.
 */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	char stamp[21], fields[2048], line[4200];
	size_t n;
	va_list ap;

	format_iso8601((int64_t)time(NULL), stamp);
	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	n = (size_t)snprintf(line, sizeof(line), "ts=%s level=%s event=", stamp,
			     level_names[level]);
	n += put_escaped(line + n, sizeof(line) - n - 2, event);
	if (fields[0]) {
		line[n++] = ' ';
		n += put_escaped(line + n, sizeof(line) - n - 2, fields);
	}
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to say it */
}
