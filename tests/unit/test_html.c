/*
 * http/html.h and http/i18n.h: escaping, the html() conversions,
 * messages with arguments, fields, tables as HTML and CSV, the page's
 * security headers, money as people write it and language choice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/html.h"

#include <stdio.h>
#include <string.h>

static void test_escape(void **state)
{
	static const char *const rows[][2] = {
		{"plain", "plain"},
		{"<script>alert(1)</script>",
		 "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"\"quoted\" & 'single'",
		 "&quot;quoted&quot; &amp; &#39;single&#39;"},
		{"&amp;", "&amp;amp;"},
		{"", ""},
		{"\xe6\x9d\x8e <b>", "\xe6\x9d\x8e &lt;b&gt;"},
	};
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, BUF_SMALL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&b);
		assert_int_equal(html_escape(&b, rows[i][0]), 0);
		assert_string_equal(buf_str(&b), rows[i][1]);
	}
	buf_reset(&b);
	assert_int_equal(html_escape(&b, NULL), 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);
}

static void test_conversions(void **state)
{
	struct page p;

	(void)state;
	page_init(&p, i18n_english());
	html(&p, "<a href=\"/x?q=%u\" title=\"%s\">%r %d %D %t 100%%</a>",
	     "a b&c/\"", "\"><img src=x>", "<b>ok</b>", -3, (int64_t)1 << 40,
	     MSG_CLICKS);
	assert_string_equal(buf_str(&p.out),
			    "<a href=\"/x?q=a%20b%26c%2F%22\" "
			    "title=\"&quot;&gt;&lt;img src=x&gt;\"><b>ok</b> "
			    "-3 1099511627776 Clicks 100%</a>");
	page_release(&p);
	page_init(&p, i18n_english());
	html(&p, "%s|%u", NULL, NULL);
	assert_string_equal(buf_str(&p.out), "|");
	page_release(&p);
}

static void test_messages(void **state)
{
	struct page p;
	struct buf b;

	(void)state;
	page_init(&p, i18n_english());
	html_msg(&p, MSG_WIZ_STEP, "2", "<7>", NULL);
	assert_string_equal(buf_str(&p.out), "Step 2 of &lt;7&gt;");
	page_release(&p);
	buf_init(&b, BUF_SMALL);
	assert_int_equal(msg_format(&b, i18n_english(), MSG_AFF_SHARE_TEXT,
				    "Sally's", "https://x/r/A", NULL),
			 0);
	assert_string_equal(buf_str(&b),
			    "Have a look at Sally's: https://x/r/A");
	buf_reset(&b);
	/* A missing translation falls back to English. */
	assert_string_equal(i18n_text(i18n_find("nb"), MSG_TAB_REWARDS),
			    "Rewards");
	buf_release(&b);
}

static void test_field(void **state)
{
	struct field_view f = {
		.name = "email",
		.label = MSG_AFF_EMAIL,
		.type = "email",
		.value = "\"><script>",
		.error = MSG_ERR_TOO_LONG,
		.error_arg = "254",
		.required = true,
	};
	struct page p;

	(void)state;
	page_init(&p, i18n_english());
	html_field(&p, &f);
	assert_non_null(strstr(buf_str(&p.out),
			       "<label for=\"f-email\">Email</label>"));
	assert_non_null(strstr(buf_str(&p.out),
			       "value=\"&quot;&gt;&lt;script&gt;\" required"));
	assert_non_null(strstr(buf_str(&p.out), "aria-invalid=\"true\""));
	assert_non_null(strstr(buf_str(&p.out),
			       "<p class=\"error\" id=\"f-email-err\">This is "
			       "too long: at most 254 characters.</p>"));
	assert_null(strstr(buf_str(&p.out), "<script>"));
	page_release(&p);
}

static void test_table(void **state)
{
	static const enum msg heads[] = {MSG_COL_NAME, MSG_SALES};
	struct table t;
	struct page p;
	struct buf csv;

	(void)state;
	table_init(&t, 2, heads, 1u << 1);
	table_cell(&t, "<b>Ann</b>, \"A\"", NULL, "/admin/affiliates/1");
	table_money(&t, 123456, "USD");
	table_cell(&t, "=HYPERLINK(\"x\")", NULL, NULL);
	table_money(&t, -5, "USD");
	table_cell(&t, "plain", NULL, NULL);
	table_money(&t, 1200, "JPY");
	assert_int_equal(table_rows(&t), 3);
	page_init(&p, i18n_english());
	table_html(&p, &t, MSG_REPORT_BY_AFFILIATE);
	assert_non_null(strstr(buf_str(&p.out),
			       "<a href=\"/admin/affiliates/1\">&lt;b&gt;Ann"
			       "&lt;/b&gt;, &quot;A&quot;</a>"));
	assert_non_null(
		strstr(buf_str(&p.out), "<td class=\"num\">$1,234.56</td>"));
	buf_init(&csv, BUF_SMALL);
	assert_int_equal(table_csv(&csv, &t, i18n_english()), 0);
	assert_string_equal(buf_str(&csv),
			    "Name,Sales\r\n"
			    "\"<b>Ann</b>, \"\"A\"\"\",1234.56\r\n"
			    "\"'=HYPERLINK(\"\"x\"\")\",-0.05\r\n"
			    "plain,1200\r\n");
	buf_release(&csv);
	page_release(&p);
	table_release(&t);

	table_init(&t, 2, heads, 0);
	page_init(&p, i18n_english());
	table_html(&p, &t, MSG_SALES);
	assert_string_equal(buf_str(&p.out),
			    "<p class=\"empty\">Nothing here yet.</p>");
	page_release(&p);
	table_release(&t);
}

static void test_page_headers(void **state)
{
	struct response resp;
	struct page p;
	int i, csp = 0;

	(void)state;
	assert_int_equal(
		html_set_policy("'self' https://admin.example.com",
				"'self' https://cdn.example.com/sdk.js"),
		0);
	response_init(&resp);
	page_init(&p, i18n_find("ko"));
	page_begin(&p, "<T>");
	page_end(&p);
	page_send(&p, &resp, 200);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(buf_str(&resp.body), "<html lang=\"ko\">"));
	assert_non_null(
		strstr(buf_str(&resp.body), "<title>&lt;T&gt;</title>"));
	for (i = 0; i < resp.nheaders; i++)
		if (strcmp(resp.header_names[i], "Content-Security-Policy") ==
		    0) {
			csp = 1;
			assert_non_null(strstr(resp.header_values[i],
					       "default-src 'self'"));
			assert_non_null(strstr(resp.header_values[i],
					       "frame-ancestors 'self' "
					       "https://admin.example.com"));
			assert_non_null(
				strstr(resp.header_values[i],
				       "script-src 'self' "
				       "https://cdn.example.com/sdk.js;"));
		}
	assert_true(csp);
	page_release(&p);
	response_release(&resp);
}

static void test_money(void **state)
{
	static const struct {
		int64_t minor;
		const char *currency;
		const char *want;
	} rows[] = {
		{1250, "USD", "$12.50"},
		{1200, "JPY", "\u00a51,200"},
		{1250, "NOK", "12,50\u00a0kr"},
		{123456789, "NOK", "1\u00a0234\u00a0567,89\u00a0kr"},
		{-5, "USD", "-$0.05"},
		{0, "EUR", "\u20ac0.00"},
		{1250000, "IDR", "Rp\u00a012.500,00"},
		{15000, "KRW", "\u20a915,000"},
		{1234, "KWD", "1.234 KWD"},
		{100, "XYZ", "1.00 XYZ"},
		{INT64_MIN, "USD", "-$92,233,720,368,547,758.08"},
	};
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, BUF_SMALL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&b);
		assert_int_equal(
			i18n_money(&b, rows[i].minor, rows[i].currency), 0);
		assert_string_equal(buf_str(&b), rows[i].want);
	}
	buf_release(&b);
}

static void test_languages(void **state)
{
	static const struct {
		const char *header;
		const char *want;
	} rows[] = {
		{NULL, "en"},
		{"", "en"},
		{"nb-NO,nb;q=0.9,en;q=0.5", "nb"},
		{"no", "nb"},
		{"nn-NO", "nb"},
		{"de-DE, fr;q=0.8", "en"},
		{"en;q=0.5, ko;q=0.9", "ko"},
		{"zh-CN", "zh"},
		{"id-ID,id;q=0.9", "id"},
		{"ko;q=0, zh;q=0.1", "zh"},
		{"*", "en"},
		{"ko;q=bogus, id", "id"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_string_equal(i18n_negotiate(rows[i].header)->code,
				    rows[i].want);
	assert_null(i18n_find("xx"));
	assert_string_equal(i18n_find("ZH-tw")->code, "zh");
}

/* Every message has English text; every catalogue is indexed right. */
static void test_catalogues(void **state)
{
	const struct i18n_lang *const *l;
	int m;

	(void)state;
	for (m = 1; m < MSG__COUNT; m++) {
		assert_non_null(i18n_msgs_en[m]);
		assert_true(i18n_msgs_en[m][0] != '\0');
	}
	for (l = i18n_langs; *l; l++)
		for (m = 1; m < MSG__COUNT; m++)
			assert_true(i18n_text(*l, (enum msg)m)[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_page_headers),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_catalogues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
