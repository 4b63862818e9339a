/*
 * util/parse.h: bounded number parsers that advance a cursor, ISO 8601
 * timestamps and the small string predicates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/parse.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct uint_case {
	const char *text;
	uint64_t max;
	int rc;
	uint64_t want;
	size_t used; /* characters consumed on success */
} uint_cases[] = {
	{"0", 0, 0, 0, 1},
	{"255", 255, 0, 255, 3},
	{"256", 255, -1, 0, 0},
	{"9", 9, 0, 9, 1},
	{"10", 9, -1, 0, 0},
	{"65535", 65535, 0, 65535, 5},
	{"65536", 65535, -1, 0, 0},
	{"18446744073709551615", UINT64_MAX, 0, UINT64_MAX, 20},
	{"18446744073709551616", UINT64_MAX, -1, 0, 0},
	{"99999999999999999999", UINT64_MAX, -1, 0, 0},
	{"123abc", 1000, 0, 123, 3},
	{"007", 7, 0, 7, 3},
	{"12:30", 99, 0, 12, 2},
	{"-1", 10, -1, 0, 0},
	{"+1", 10, -1, 0, 0},
	{"", 10, -1, 0, 0},
	{"abc", 10, -1, 0, 0},
	{" 1", 10, -1, 0, 0},
	/* Single digits above a maximum below 9. */
	{"6", 5, -1, 0, 0},
	{"1", 0, -1, 0, 0},
	{"06", 5, -1, 0, 0},
};

static void test_uint(void **state)
{
	const struct uint_case *c = *state;
	const char *p = c->text;
	uint64_t v = 424242;

	assert_int_equal(parse_uint(&p, c->max, &v), c->rc);
	if (c->rc == 0) {
		assert_int_equal(v, c->want);
		assert_ptr_equal(p, c->text + c->used);
	} else {
		assert_ptr_equal(p, c->text);
	}
}

static struct int_case {
	const char *text;
	int64_t max;
	int rc;
	int64_t want;
	size_t used;
} int_cases[] = {
	{"0", 0, 0, 0, 1},
	{"-0", 0, 0, 0, 2},
	{"42", 42, 0, 42, 2},
	{"43", 42, -1, 0, 0},
	{"-42", 42, 0, -42, 3},
	{"-43", 42, -1, 0, 0},
	{"9223372036854775807", INT64_MAX, 0, INT64_MAX, 19},
	{"9223372036854775808", INT64_MAX, -1, 0, 0},
	{"-9223372036854775807", INT64_MAX, 0, -INT64_MAX, 20},
	{"-9223372036854775808", INT64_MAX, -1, 0, 0},
	{"12-", 100, 0, 12, 2},
	{"-12x", 100, 0, -12, 3},
	{"-", 100, -1, 0, 0},
	{"--1", 100, -1, 0, 0},
	{"-x", 100, -1, 0, 0},
	{"+1", 100, -1, 0, 0},
	{"", 100, -1, 0, 0},
	{"1", -1, -1, 0, 0},
	/* A digit above a maximum below 9, with and without '-'. */
	{"6", 5, -1, 0, 0},
	{"-6", 5, -1, 0, 0},
};

static void test_int(void **state)
{
	const struct int_case *c = *state;
	const char *p = c->text;
	int64_t v = 424242;

	assert_int_equal(parse_int(&p, c->max, &v), c->rc);
	if (c->rc == 0) {
		assert_int_equal(v, c->want);
		assert_ptr_equal(p, c->text + c->used);
	} else {
		assert_ptr_equal(p, c->text);
	}
}

static struct whole_case {
	const char *text;
	int urc;      /* parse_uint_str(text, 1000) */
	int irc;      /* parse_int_str(text, 1000) */
	int64_t want; /* the value on success */
} whole_cases[] = {
	{"123", 0, 0, 123},	 {"1000", 0, 0, 1000}, {"1001", -1, -1, 0},
	{"-5", -1, 0, -5},	 {"123 ", -1, -1, 0},  {" 123", -1, -1, 0},
	{"12a", -1, -1, 0},	 {"", -1, -1, 0},      {"-", -1, -1, 0},
	{"0", 0, 0, 0},		 {"1.0", -1, -1, 0},   {"1e3", -1, -1, 0},
	{"-1000", -1, 0, -1000},
};

static void test_whole(void **state)
{
	const struct whole_case *c = *state;
	uint64_t u = 424242;
	int64_t i = 424242;

	assert_int_equal(parse_uint_str(c->text, 1000, &u), c->urc);
	if (c->urc == 0)
		assert_int_equal(u, (uint64_t)c->want);
	else
		assert_int_equal(u, 424242);
	assert_int_equal(parse_int_str(c->text, 1000, &i), c->irc);
	if (c->irc == 0)
		assert_int_equal(i, c->want);
	else
		assert_int_equal(i, 424242);
}

static void test_parse_char(void **state)
{
	const char *start = "ab", *s = start;
	const char *empty = "", *e = empty;

	(void)state;
	assert_false(parse_char(&s, 'b'));
	assert_ptr_equal(s, start);
	assert_true(parse_char(&s, 'a'));
	assert_ptr_equal(s, start + 1);
	assert_true(parse_char(&s, 'b'));
	assert_false(parse_char(&s, 'c'));
	assert_ptr_equal(s, start + 2);
	/* The terminator is never consumed. */
	assert_false(parse_char(&s, '\0'));
	assert_ptr_equal(s, start + 2);
	assert_false(parse_char(&e, '\0'));
	assert_ptr_equal(e, empty);
}

static struct iso_case {
	const char *text;
	int rc;
	int64_t want;
} iso_cases[] = {
	{"2026-01-31T12:00:00Z", 0, 1769860800},
	{"2026-01-31T12:00:00z", 0, 1769860800},
	{"2026-01-31T12:00:00+02:00", 0, 1769860800 - 2 * 3600},
	{"2026-01-31T12:00:00-0530", 0, 1769860800 + 5 * 3600 + 30 * 60},
	{"2026-01-31T12:00:00-05:30", 0, 1769860800 + 5 * 3600 + 30 * 60},
	{"2026-01-31T12:00:00+00:00", 0, 1769860800},
	{"2026-01-31T12:00:00.123Z", 0, 1769860800},
	{"2026-01-31T12:00:00.999999+02:00", 0, 1769860800 - 2 * 3600},
	{"2026-01-31", 0, 1769817600},
	{"2026-01-31 12:00:00Z", 0, 1769860800},
	{"1970-01-01T00:00:00Z", 0, 0},
	{"1969-12-31T23:59:59Z", 0, -1},
	{"2000-02-29T23:59:59Z", 0, 951868799},
	{"2024-02-29", 0, 1709164800},
	{"2026-12-31T23:59:59Z", 0, 1798761599},
	{"2026-13-01", -1, 0},
	{"2026-00-10", -1, 0},
	{"2026-01-32", -1, 0},
	{"2026-01-00", -1, 0},
	{"2026-1-1", -1, 0},
	{"2026-01-31T12:00:00Zjunk", -1, 0},
	{"2026-01-31x", -1, 0},
	{"2026-01-31T", -1, 0},
	{"2026-01-31T12:00", -1, 0},
	{"2026-01-31T24:00:00Z", -1, 0},
	{"2026-01-31T12:60:00Z", -1, 0},
	{"2026-01-31T12:00:00+2", -1, 0},
	{"2026-01-31T12:00:00+24:00", -1, 0},
	{"2026/01/31", -1, 0},
	{"26-01-31", -1, 0},
	{"", -1, 0},
	{"2026-01-31t12:00:00Z", -1, 0},
	/* Days past the end of the month are not the next month. */
	{"2026-02-30", -1, 0},
	{"2025-02-29", -1, 0},
	{"2026-04-31T00:00:00Z", -1, 0},
	/* A decimal sign needs at least one digit after it. */
	{"2026-01-31T12:00:00.Z", -1, 0},
};

static void test_iso8601(void **state)
{
	const struct iso_case *c = *state;
	int64_t v = 424242;

	assert_int_equal(parse_iso8601(c->text, &v), c->rc);
	if (c->rc == 0)
		assert_int_equal(v, c->want);
}

static struct format_case {
	int64_t t;
	const char *text;
} format_cases[] = {
	{0, "1970-01-01T00:00:00Z"},
	{1769860800, "2026-01-31T12:00:00Z"},
	{951868799, "2000-02-29T23:59:59Z"},
	{-1, "1969-12-31T23:59:59Z"},
	{4102444800, "2100-01-01T00:00:00Z"},
	{253402300799, "9999-12-31T23:59:59Z"},
};

static void test_format(void **state)
{
	const struct format_case *c = *state;
	char out[21];
	int64_t back = 0;

	memset(out, 'x', sizeof(out));
	format_iso8601(c->t, out);
	assert_string_equal(out, c->text);
	assert_int_equal(parse_iso8601(out, &back), 0);
	assert_int_equal(back, c->t);
}

enum str_op { STR_IEQ, STR_PREFIX, STR_SUFFIX };

static struct str_case {
	enum str_op op;
	const char *a, *b;
	bool want;
} str_cases[] = {
	{STR_IEQ, "abc", "ABC", true},
	{STR_IEQ, "Content-Type", "content-type", true},
	{STR_IEQ, "abc", "abd", false},
	{STR_IEQ, "abc", "abcd", false},
	{STR_IEQ, "", "", true},
	{STR_IEQ, "", "a", false},
	{STR_PREFIX, "hello", "he", true},
	{STR_PREFIX, "hello", "hello", true},
	{STR_PREFIX, "hello", "", true},
	{STR_PREFIX, "he", "hello", false},
	{STR_PREFIX, "hello", "hE", false},
	{STR_PREFIX, "", "a", false},
	{STR_SUFFIX, "hello", "lo", true},
	{STR_SUFFIX, "hello", "hello", true},
	{STR_SUFFIX, "hello", "", true},
	{STR_SUFFIX, "lo", "hello", false},
	{STR_SUFFIX, "hello", "LO", false},
	{STR_SUFFIX, "", "", true},
};

static const char *const str_op_names[] = {
	"str_ieq",	  /* STR_IEQ */
	"str_has_prefix", /* STR_PREFIX */
	"str_has_suffix", /* STR_SUFFIX */
};

static void test_str(void **state)
{
	const struct str_case *c = *state;
	bool got = false;

	switch (c->op) {
	case STR_IEQ:
		got = str_ieq(c->a, c->b);
		break;
	case STR_PREFIX:
		got = str_has_prefix(c->a, c->b);
		break;
	case STR_SUFFIX:
		got = str_has_suffix(c->a, c->b);
		break;
	}
	assert_int_equal(got, c->want);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(uint_cases); i++)
		add_case(test_uint, &uint_cases[i],
			 "parse_uint \"%s\" max %llu", uint_cases[i].text,
			 (unsigned long long)uint_cases[i].max);
	for (i = 0; i < COUNT(int_cases); i++)
		add_case(test_int, &int_cases[i], "parse_int \"%s\" max %lld",
			 int_cases[i].text, (long long)int_cases[i].max);
	for (i = 0; i < COUNT(whole_cases); i++)
		add_case(test_whole, &whole_cases[i], "parse_*_str \"%s\"",
			 whole_cases[i].text);
	add_case(test_parse_char, NULL, "parse_char");
	for (i = 0; i < COUNT(iso_cases); i++)
		add_case(test_iso8601, &iso_cases[i], "iso8601 \"%s\"",
			 iso_cases[i].text);
	for (i = 0; i < COUNT(format_cases); i++)
		add_case(test_format, &format_cases[i], "format %s",
			 format_cases[i].text);
	for (i = 0; i < COUNT(str_cases); i++)
		add_case(test_str, &str_cases[i], "%s(\"%s\", \"%s\")",
			 str_op_names[str_cases[i].op], str_cases[i].a,
			 str_cases[i].b);
	return _cmocka_run_group_tests("parse", cases, ncases, NULL, NULL);
}
