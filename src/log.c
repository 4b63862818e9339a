#include "log.h"
#include "util/parse.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
 * value becomes \n or \xNN, so one event is always one line. Quotes and
 * backslashes are escaped too, so values stay unambiguous to a parser.
 */
static void write_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\\')
			fputs("\\\\", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	char stamp[21], line[2048];
	va_list ap;

	format_iso8601((int64_t)time(NULL), stamp);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	flockfile(stderr);
	fprintf(stderr, "ts=%s level=%s event=", stamp, level_names[level]);
	write_escaped(stderr, event);
	if (line[0]) {
		fputc(' ', stderr);
		write_escaped(stderr, line);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}
