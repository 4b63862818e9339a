/*
 * http/form.h: urlencoded decoding (good bodies, each malformed one its
 * own case) and the field checkers (duplicates, required, lengths,
 * emails, numbers, percentages, amounts, URLs, UTF-8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/form.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct good_row {
	const char *body;
	size_t n;
	const char *pairs[8]; /* name, value, name, value, ... */
};

static struct good_row good[] = {
	{"a=1&b=2", 2, {"a", "1", "b", "2"}},
	{"name=Jane+Doe&e=a%40b.c", 2, {"name", "Jane Doe", "e", "a@b.c"}},
	{"x=%E2%82%AC%2b", 1, {"x", "\xe2\x82\xac+"}},
	{"flag&empty=", 2, {"flag", "", "empty", ""}},
	{"&&a=1&&", 1, {"a", "1"}},
	{"a=1&a=2", 2, {"a", "1", "a", "2"}},
	{"k=v=w", 1, {"k", "v=w"}},
	{"", 0, {NULL}},
};

static void test_good(void **state)
{
	const struct good_row *row = *state;
	struct form f;
	struct buf err;
	size_t i;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(form_parse(&f, row->body, strlen(row->body), &err), 0);
	assert_int_equal(f.n, row->n);
	for (i = 0; i < row->n; i++) {
		assert_string_equal(f.pairs[i].name, row->pairs[2 * i]);
		assert_string_equal(f.pairs[i].value, row->pairs[2 * i + 1]);
	}
	form_release(&f);
	buf_release(&err);
}

struct bad_row {
	const char *name;
	const char *body;
	const char *why;
};

static struct bad_row bad[] = {
	{"bad hex", "a=%zz", "bad percent-encoding"},
	{"truncated escape", "a=%4", "bad percent-encoding"},
	{"lone percent", "a=%", "bad percent-encoding"},
	{"escape in name", "%g1=x", "bad percent-encoding"},
	{"NUL byte", "a=x%00y", "NUL byte"},
	{"empty name", "=x", "no name"},
	{"empty name after amp", "a=1&=2", "no name"},
};

static void test_bad(void **state)
{
	const struct bad_row *row = *state;
	struct form f;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(form_parse(&f, row->body, strlen(row->body), &err),
			 -1);
	assert_non_null(strstr(buf_str(&err), row->why));
	assert_int_equal(f.n, 0);
	buf_release(&err);
}

static void test_limits(void **state)
{
	struct form f;
	struct buf err, body;
	int i;

	(void)state;
	buf_init(&err, BUF_SMALL);
	buf_init(&body, BUF_LARGE);
	for (i = 0; i <= FORM_MAX_FIELDS; i++)
		assert_int_equal(buf_printf(&body, "f%d=1&", i), 0);
	assert_int_equal(form_parse(&f, body.data, body.len, &err), -1);
	assert_non_null(strstr(buf_str(&err), "more than 64 fields"));

	buf_reset(&body);
	assert_int_equal(buf_puts(&body, "v="), 0);
	for (i = 0; i <= FORM_MAX_VALUE; i++)
		assert_int_equal(buf_putc(&body, 'x'), 0);
	assert_int_equal(form_parse(&f, body.data, body.len, &err), -1);
	assert_non_null(strstr(buf_str(&err), "too long"));

	buf_reset(&body);
	for (i = 0; i <= FORM_MAX_NAME; i++)
		assert_int_equal(buf_putc(&body, 'n'), 0);
	assert_int_equal(form_parse(&f, body.data, body.len, &err), -1);
	/* Exactly at the limits is fine. */
	buf_reset(&body);
	assert_int_equal(buf_puts(&body, "v="), 0);
	for (i = 0; i < FORM_MAX_VALUE; i++)
		assert_int_equal(buf_putc(&body, 'x'), 0);
	assert_int_equal(form_parse(&f, body.data, body.len, &err), 0);
	form_release(&f);
	buf_release(&body);
	buf_release(&err);
}

struct check_row {
	const char *name;
	form_check *check;
	const char *text;
	enum msg want;
	int64_t num;
};

static struct check_row checks[] = {
	{"email ok", form_email, "jane@example.com", MSG_NONE, 0},
	{"email no at", form_email, "jane.example.com", MSG_ERR_EMAIL, 0},
	{"email two ats", form_email, "a@b@c.de", MSG_ERR_EMAIL, 0},
	{"email no dot", form_email, "a@localhost", MSG_ERR_EMAIL, 0},
	{"email space", form_email, "a b@c.de", MSG_ERR_EMAIL, 0},
	{"email angle", form_email, "<a@c.de>", MSG_ERR_EMAIL, 0},
	{"email dot end", form_email, "a@c.", MSG_ERR_EMAIL, 0},
	{"int ok", form_int, "30", MSG_NONE, 30},
	{"int low", form_int, "0", MSG_ERR_NUMBER, 0},
	{"int high", form_int, "366", MSG_ERR_NUMBER, 0},
	{"int junk", form_int, "3O", MSG_ERR_NUMBER, 0},
	{"int overflow", form_int, "99999999999999999999", MSG_ERR_NUMBER, 0},
	{"percent ok", form_percent, "12.5", MSG_NONE, 1250},
	{"percent whole", form_percent, "10", MSG_NONE, 1000},
	{"percent over", form_percent, "100.01", MSG_ERR_PERCENT, 0},
	{"percent negative", form_percent, "-1", MSG_ERR_PERCENT, 0},
	{"percent three decimals", form_percent, "1.234", MSG_ERR_PERCENT, 0},
	{"amount ok", form_amount, "12.50", MSG_NONE, 1250},
	{"amount comma", form_amount, "12,5", MSG_NONE, 1250},
	{"amount zero", form_amount, "0", MSG_ERR_AMOUNT, 0},
	{"amount words", form_amount, "ten", MSG_ERR_AMOUNT, 0},
	{"amount sub-cent", form_amount, "1.005", MSG_ERR_AMOUNT, 0},
	{"url ok", form_url, "https://shop.example/p?a=1#x", MSG_NONE, 0},
	{"url http", form_url, "http://shop.example/", MSG_NONE, 0},
	{"url javascript", form_url, "javascript:alert(1)", MSG_ERR_URL, 0},
	{"url relative", form_url, "//evil.example/", MSG_ERR_URL, 0},
	{"url credentials", form_url, "https://a@evil.example/", MSG_ERR_URL,
	 0},
	{"url no host", form_url, "https:///path", MSG_ERR_URL, 0},
	{"url space", form_url, "https://a.example/b c", MSG_ERR_URL, 0},
	{"url newline", form_url, "https://a.example/\r\nX: y", MSG_ERR_URL, 0},
	{"text ok", form_text, "J\xc3\xb8rn \xe6\x9d\x8e", MSG_NONE, 0},
	{"text control", form_text, "a\x01b", MSG_ERR_TEXT, 0},
	{"text newline", form_text, "a\nb", MSG_ERR_TEXT, 0},
	{"text bad utf8", form_text, "a\xc3(", MSG_ERR_TEXT, 0},
	{"text overlong utf8", form_text, "\xc0\xaf", MSG_ERR_TEXT, 0},
	{"text surrogate", form_text, "\xed\xa0\x80", MSG_ERR_TEXT, 0},
};

static void test_check(void **state)
{
	const struct check_row *row = *state;
	struct form_def def = {"f", row->check, 100, 1, 10000, 2, 0};
	int64_t num = 0;

	if (row->check == form_int)
		def.top = 365;
	assert_int_equal(row->check(&def, row->text, &num), row->want);
	if (row->want == MSG_NONE && row->num)
		assert_int_equal(num, row->num);
}

static void test_validate(void **state)
{
	static const struct form_def defs[] = {
		{"name", NULL, 10, 0, 0, 0, FORM_REQUIRED},
		{"email", form_email, 254, 0, 0, 0, FORM_REQUIRED},
		{"pw", NULL, 64, 0, 0, 0, FORM_RAW},
		{"nets", NULL, 20, 0, 0, 0, FORM_MULTI},
		{"days", form_int, 4, 1, 365, 0, 0},
	};
	const char *body = "name=++Jane++&email=a%40b.co&email=c%40d.co&"
			   "pw=+spaced+&nets=x&nets=facebook";
	struct form_value v[5];
	struct form f;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(form_parse(&f, body, strlen(body), &err), 0);
	assert_int_equal(form_validate(&f, defs, 5, v), 1);
	assert_string_equal(v[0].text, "Jane");
	assert_int_equal(v[0].error, MSG_NONE);
	assert_int_equal(v[1].error, MSG_ERR_TWICE);
	assert_string_equal(v[2].text, " spaced ");
	assert_int_equal(v[3].error, MSG_NONE);
	assert_false(v[4].present);
	assert_int_equal(v[4].error, MSG_NONE);
	form_release(&f);

	body = "name=abcdefghijk&days=400";
	assert_int_equal(form_parse(&f, body, strlen(body), &err), 0);
	assert_int_equal(form_validate(&f, defs, 5, v), 3);
	assert_int_equal(v[0].error, MSG_ERR_TOO_LONG);
	assert_string_equal(v[0].error_arg, "10");
	assert_int_equal(v[1].error, MSG_ERR_REQUIRED);
	assert_int_equal(v[4].error, MSG_ERR_NUMBER);
	form_release(&f);
	buf_release(&err);
}

int main(void)
{
	size_t i;
	char name[96];

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(name, sizeof(name), "parse \"%s\"", good[i].body);
		add_case(test_good, &good[i], "%s", name);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "refuse %s", bad[i].name);
		add_case(test_bad, &bad[i], "%s", name);
	}
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		add_case(test_check, &checks[i], "%s", checks[i].name);
	add_case(test_limits, NULL, "field count and length limits");
	add_case(test_validate, NULL, "validation table");
	return _cmocka_run_group_tests("form", cases, ncases, NULL, NULL);
}
