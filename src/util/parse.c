#include "util/parse.h"

#include <string.h>
#include <strings.h>
#include <time.h>

int parse_uint(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	*p = s;
	return 0;
}

int parse_int(const char **p, int64_t max, int64_t *out)
{
	const char *s = *p;
	bool neg = parse_char(&s, '-');
	uint64_t v;

	if (max < 0 || parse_uint(&s, (uint64_t)max, &v) < 0)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*p = s;
	return 0;
}

bool parse_char(const char **p, char c)
{
	if (**p != c || c == '\0')
		return false;
	(*p)++;
	return true;
}

int parse_uint_str(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (parse_uint(&s, max, &v) < 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}

int parse_int_str(const char *s, int64_t max, int64_t *out)
{
	int64_t v;

	if (parse_int(&s, max, &v) < 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}

static int parse_fixed(const char **p, int digits, uint64_t max, int *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < digits; i++, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = (int)v;
	*p = s;
	return 0;
}

static int parse_offset(const char **p, int64_t *offset)
{
	const char *s = *p;
	int sign, hh, mm;

	if (parse_char(&s, 'Z') || parse_char(&s, 'z')) {
		*offset = 0;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (parse_fixed(&s, 2, 23, &hh) < 0)
			return -1;
		parse_char(&s, ':');
		if (parse_fixed(&s, 2, 59, &mm) < 0)
			return -1;
		*offset = sign * (hh * 3600 + mm * 60);
	} else {
		*offset = 0;
	}
	*p = s;
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

int parse_iso8601(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0;
	int64_t offset = 0;

	memset(&tm, 0, sizeof(tm));
	if (parse_fixed(&s, 4, 9999, &y) < 0 || !parse_char(&s, '-') ||
	    parse_fixed(&s, 2, 12, &mo) < 0 || !parse_char(&s, '-') ||
	    parse_fixed(&s, 2, 31, &d) < 0 || mo < 1 || d < 1 ||
	    d > days_in_month(y, mo))
		return -1;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (parse_fixed(&s, 2, 23, &h) < 0 || !parse_char(&s, ':') ||
		    parse_fixed(&s, 2, 59, &mi) < 0 || !parse_char(&s, ':') ||
		    parse_fixed(&s, 2, 60, &se) < 0)
			return -1;
		if (parse_char(&s, '.')) {
			if (*s < '0' || *s > '9')
				return -1;
			while (*s >= '0' && *s <= '9')
				s++;
		}
		if (parse_offset(&s, &offset) < 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm) - offset;
	return 0;
}

void format_iso8601(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}
