/*
 * log.h: one event is one line of key=value fields, whatever the values
 * hold. Each case logs hostile values in every field (quotes, backslashes,
 * newlines, spaces, '=', control bytes, a forged "level=error event=..."),
 * reads the line back from stderr and parses it as logfmt: the fields
 * must be exactly the ones logged, each with its value intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/log.h"
#include "util/buf.h"
#include "cases.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COUNT(a)   (sizeof(a) / sizeof((a)[0]))
#define MAX_FIELDS 16

struct field {
	char key[64];
	char value[1024];
};

/* Runs log_event with stderr sent to a file; the bytes written. */
static void capture_start(int *saved, char *path, size_t n)
{
	int fd;

	snprintf(path, n, "/tmp/affiliated-log-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

static size_t capture_end(int saved, const char *path, char *out, size_t n)
{
	int fd;
	ssize_t got;

	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	got = read(fd, out, n - 1);
	assert_true(got >= 0);
	out[got] = '\0';
	close(fd);
	unlink(path);
	return (size_t)got;
}

static int unhex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

/* One quoted value after its opening quote; the pointer past its end. */
static const char *parse_quoted(const char *p, char *out, size_t n)
{
	size_t k = 0;

	for (; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			p++;
			if (*p == 'n')
				c = '\n';
			else if (*p == 'r')
				c = '\r';
			else if (*p == 't')
				c = '\t';
			else if (*p == 'x') {
				assert_true(unhex(p[1]) >= 0 &&
					    unhex(p[2]) >= 0);
				c = (char)(unhex(p[1]) * 16 + unhex(p[2]));
				p += 2;
			} else if (*p == '"' || *p == '\\')
				c = *p;
			else
				fail_msg("unknown escape \\%c", *p);
		}
		assert_true(k + 1 < n);
		out[k++] = c;
	}
	assert_int_equal(*p, '"');
	out[k] = '\0';
	return p + 1;
}

/* logfmt: key=value pairs split by single spaces; the field count. */
static size_t parse_line(const char *line, struct field *f, size_t max)
{
	const char *p = line;
	size_t n = 0, k;

	while (*p && *p != '\n') {
		assert_true(n < max);
		for (k = 0; *p && *p != '=' && *p != ' '; p++) {
			assert_true(k + 1 < sizeof(f[n].key));
			f[n].key[k++] = *p;
		}
		f[n].key[k] = '\0';
		assert_int_equal(*p, '=');
		p++;
		if (*p == '"') {
			p = parse_quoted(p + 1, f[n].value, sizeof(f[n].value));
		} else {
			for (k = 0; *p && *p != ' ' && *p != '\n'; p++) {
				assert_true(*p != '"' && *p != '=');
				f[n].value[k++] = *p;
			}
			f[n].value[k] = '\0';
		}
		n++;
		if (*p == ' ')
			p++;
	}
	return n;
}

/* Hostile values: every field of every case gets one of these. */
static const char *const hostile[] = {
	"plain",
	"a\" level=error event=forged x=\"",
	"line one\nts=2026 level=error event=forged",
	"back\\slash\\\" end",
	"cr\rlf\r\n",
	"tab\there",
	"key=value",
	"",
	"\x01\x1b[31mred\x7f",
	"\"",
	"\\",
	"ünï cödé ✓",
};

struct log_case {
	size_t shift; /* which hostile value goes into which field */
};

static struct log_case log_cases[COUNT(hostile)];

static const char *pick(size_t shift, size_t field)
{
	return hostile[(shift + field) % COUNT(hostile)];
}

/* Each field holds a hostile value, bare (k=%s) or quoted (k="%s"). */
static void test_fields(void **state)
{
	const struct log_case *c = *state;
	char path[64], out[8192];
	struct field f[MAX_FIELDS];
	size_t got, n;
	int saved;

	log_set_level(LOG_DEBUG);
	capture_start(&saved, path, sizeof(path));
	log_event(LOG_WARN, "webhook.rejected",
		  "shop=%s topic=%s error=\"%s\" path=\"%s\" n=%d id=%.200s "
		  "bytes=%zu",
		  pick(c->shift, 0), pick(c->shift, 1), pick(c->shift, 2),
		  pick(c->shift, 3), -7, pick(c->shift, 4), (size_t)42);
	got = capture_end(saved, path, out, sizeof(out));
	/* One line, ended by its only newline. */
	assert_true(got > 0);
	assert_int_equal(out[got - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + got - 1);
	n = parse_line(out, f, MAX_FIELDS);
	assert_int_equal(n, 10);
	assert_string_equal(f[0].key, "ts");
	assert_string_equal(f[1].key, "level");
	assert_string_equal(f[1].value, "warn");
	assert_string_equal(f[2].key, "event");
	assert_string_equal(f[2].value, "webhook.rejected");
	assert_string_equal(f[3].key, "shop");
	assert_string_equal(f[3].value, pick(c->shift, 0));
	assert_string_equal(f[4].key, "topic");
	assert_string_equal(f[4].value, pick(c->shift, 1));
	assert_string_equal(f[5].key, "error");
	assert_string_equal(f[5].value, pick(c->shift, 2));
	assert_string_equal(f[6].key, "path");
	assert_string_equal(f[6].value, pick(c->shift, 3));
	assert_string_equal(f[7].key, "n");
	assert_string_equal(f[7].value, "-7");
	assert_string_equal(f[8].key, "id");
	assert_string_equal(f[8].value, pick(c->shift, 4));
	assert_string_equal(f[9].key, "bytes");
	assert_string_equal(f[9].value, "42");
}

/* An event name and the conversions the code uses, hostile or not. */
static void test_event_and_numbers(void **state)
{
	char path[64], out[4096];
	struct field f[MAX_FIELDS];
	size_t n;
	int saved;

	(void)state;
	capture_start(&saved, path, sizeof(path));
	log_event(LOG_ERROR, "bad\" level=info\nevent",
		  "a=%lld b=%u c=%04o d=%.*s e=%s f=100%%", (long long)-5, 7u,
		  0600u, 3, "abcdef", "x y");
	capture_end(saved, path, out, sizeof(out));
	n = parse_line(out, f, MAX_FIELDS);
	assert_int_equal(n, 9);
	assert_string_equal(f[2].value, "bad\" level=info\nevent");
	assert_string_equal(f[3].value, "-5");
	assert_string_equal(f[4].value, "7");
	assert_string_equal(f[5].value, "0600");
	assert_string_equal(f[6].value, "abc");
	assert_string_equal(f[7].value, "x y");
	assert_string_equal(f[8].value, "100%");
}

/* A value far longer than a line: cut, but still one line. */
static void test_long_value(void **state)
{
	static char big[20000];
	char path[64], out[16384];
	size_t got;
	int saved;

	(void)state;
	memset(big, '\n', sizeof(big) - 1);
	capture_start(&saved, path, sizeof(path));
	log_event(LOG_INFO, "big", "v=%s", big);
	got = capture_end(saved, path, out, sizeof(out));
	assert_true(got > 100);
	assert_ptr_equal(strchr(out, '\n'), out + got - 1);
}

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(log_cases); i++) {
		log_cases[i].shift = i;
		add_case(test_fields, &log_cases[i],
			 "hostile fields, shift %zu", i);
	}
	add_case(test_event_and_numbers, NULL, "event name and numbers");
	add_case(test_long_value, NULL, "a value longer than a line");
	return _cmocka_run_group_tests("log", cases, ncases, NULL, NULL);
}
