/*
 * util/money.h: currency exponents, decimal parsing and formatting, the
 * one rounding rule (half away from zero) and checked arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/money.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct exponent_case {
	const char *code;
	int exponent;
} exponent_cases[] = {
	{"USD", 2},  {"JPY", 0},  {"KWD", 3},  {"EUR", 2},
	{"XXX", -1}, {"usd", -1}, {"US", -1},  {"USDX", -1},
	{"", -1},    {"Usd", -1}, {"ZZZ", -1}, {"AAA", -1},
};

static void test_exponent(void **state)
{
	const struct exponent_case *c = *state;

	assert_int_equal(money_exponent(c->code), c->exponent);
	assert_int_equal(money_currency_valid(c->code), c->exponent >= 0);
}

static void test_exponent_null(void **state)
{
	(void)state;
	assert_int_equal(money_exponent(NULL), -1);
	assert_false(money_currency_valid(NULL));
}

/*
 * ISO 4217 circulating currencies with their minor units (list one,
 * 2024). money_exponent() searches a sorted table, so finding every one of
 * these, the first and last included, also shows the table is sorted.
 */
static const struct iso_code {
	const char *code;
	int exponent;
} iso_codes[] = {
	{"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2},
	{"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2},
	{"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
	{"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
	{"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2},
	{"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0},
	{"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
	{"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
	{"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2},
	{"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2},
	{"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
	{"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
	{"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2},
	{"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2},
	{"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
	{"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
	{"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3},
	{"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
	{"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
	{"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
	{"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2},
	{"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
	{"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
	{"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2},
	{"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0},
	{"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWL", 2},
};

static void check_codes(const struct iso_code *codes, size_t n)
{
	size_t i;
	int missing = 0;

	for (i = 0; i < n; i++) {
		int e = money_exponent(codes[i].code);

		if (e != codes[i].exponent) {
			print_error("%s: exponent %d, want %d\n", codes[i].code,
				    e, codes[i].exponent);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

static void test_iso_table_sorted(void **state)
{
	(void)state;
	check_codes(iso_codes, sizeof(iso_codes) / sizeof(iso_codes[0]));
}

/*
 * Codes ISO 4217 added recently: VED (Venezuela, amendment 170, 2021),
 * ZWG (Zimbabwe Gold, 2024) and XCG (Caribbean guilder, replacing ANG
 * from 2025). Orders in these currencies are refused today.
 */
static void test_iso_recent_codes(void **state)
{
	static const struct iso_code recent[] = {
		{"VED", 2},
		{"ZWG", 2},
		{"XCG", 2},
	};

	(void)state;
	check_codes(recent, sizeof(recent) / sizeof(recent[0]));
}

static struct parse_case {
	const char *text;
	int exponent;
	int rc;
	int64_t want;
	const char *err_has; /* substring of the message on failure */
} parse_cases[] = {
	{"12.50", 2, 0, 1250, NULL},
	{"12.5", 2, 0, 1250, NULL},
	{"12", 2, 0, 1200, NULL},
	{"0.1", 2, 0, 10, NULL},
	{"-3.05", 2, 0, -305, NULL},
	{"-0.05", 2, 0, -5, NULL},
	{"0", 2, 0, 0, NULL},
	{"12.500", 2, 0, 1250, NULL},
	{"12.5000000", 2, 0, 1250, NULL},
	{"1200", 0, 0, 1200, NULL},
	{"1200.0", 0, 0, 1200, NULL},
	{"0.125", 3, 0, 125, NULL},
	{"92233720368547758.07", 2, 0, INT64_MAX, NULL},
	{"10.005", 2, -1, 0, "decimals"},
	{"1200.5", 0, -1, 0, "decimals"},
	{"0.1255", 3, -1, 0, "decimals"},
	{"", 2, -1, 0, "''"},
	{".", 2, -1, 0, "'.'"},
	{"-", 2, -1, 0, "'-'"},
	{"abc", 2, -1, 0, "'abc'"},
	{"1e2", 2, -1, 0, "'1e2'"},
	{"1,00", 2, -1, 0, "'1,00'"},
	{" 1", 2, -1, 0, "' 1'"},
	{"1 ", 2, -1, 0, "'1 '"},
	{"--1", 2, -1, 0, "'--1'"},
	{"1.2.3", 2, -1, 0, "'1.2.3'"},
	{"0x10", 2, -1, 0, "'0x10'"},
	{"99999999999999999999", 2, -1, 0, "'99999999999999999999'"},
	{"99999999999999999999", 0, -1, 0, "'99999999999999999999'"},
	{"92233720368547758.08", 2, -1, 0, "'92233720368547758.08'"},
	{"1", 5, -1, 0, "exponent"},
	{"1", -1, -1, 0, "exponent"},
};

static void test_parse(void **state)
{
	const struct parse_case *c = *state;
	int64_t v = 424242;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(money_parse(c->text, c->exponent, &v, &err), c->rc);
	if (c->rc == 0) {
		assert_int_equal(v, c->want);
		assert_int_equal(err.len, 0);
	} else {
		assert_non_null(strstr(buf_str(&err), c->err_has));
	}
	/* NULL err is allowed and gives the same answer. */
	assert_int_equal(money_parse(c->text, c->exponent, &v, NULL), c->rc);
	buf_release(&err);
}

/* money_parse_n reads exactly len bytes of a longer text. */
static void test_parse_n(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(money_parse_n("12.50xyz", 5, 2, &v, NULL), 0);
	assert_int_equal(v, 1250);
	assert_int_equal(money_parse_n("12.50xyz", 6, 2, &v, NULL), -1);
	assert_int_equal(money_parse_n("7", 0, 2, &v, NULL), -1);
}

static struct format_case {
	int64_t amount;
	int exponent;
	const char *text;
} format_cases[] = {
	{-5, 2, "-0.05"},
	{1200, 0, "1200"},
	{125, 3, "0.125"},
	{1250, 2, "12.50"},
	{0, 2, "0.00"},
	{-1200, 0, "-1200"},
	{INT64_MAX, 2, "92233720368547758.07"},
	{INT64_MIN, 2, "-92233720368547758.08"},
};

static void test_format(void **state)
{
	const struct format_case *c = *state;
	struct buf out;
	int64_t back = 0;

	buf_init(&out, BUF_SMALL);
	assert_int_equal(money_format(&out, c->amount, c->exponent), 0);
	assert_string_equal(buf_str(&out), c->text);
	if (c->amount != INT64_MIN) {
		assert_int_equal(
			money_parse(buf_str(&out), c->exponent, &back, NULL),
			0);
		assert_int_equal(back, c->amount);
	}
	buf_release(&out);
}

static struct scale_case {
	const char *name;
	int64_t amount, num, den;
	int rc;
	int64_t want;
} scale_cases[] = {
	{"1 * 1/2 = 0.5 -> 1", 1, 1, 2, 0, 1},
	{"-1 * 1/2 = -0.5 -> -1", -1, 1, 2, 0, -1},
	{"5 * 1/3 = 1.67 -> 2", 5, 1, 3, 0, 2},
	{"4 * 1/3 = 1.33 -> 1", 4, 1, 3, 0, 1},
	{"10 * 1/4 = 2.5 -> 3", 10, 1, 4, 0, 3},
	{"-10 * 1/4 = -2.5 -> -3", -10, 1, 4, 0, -3},
	{"-5 * 1/3 = -1.67 -> -2", -5, 1, 3, 0, -2},
	{"-4 * 1/3 = -1.33 -> -1", -4, 1, 3, 0, -1},
	{"10 * -1/4 = -2.5 -> -3", 10, -1, 4, 0, -3},
	{"0 * 7/3 = 0", 0, 7, 3, 0, 0},
	{"exact 9 * 2/3 = 6", 9, 2, 3, 0, 6},
	{"wide intermediate MAX * MAX / MAX", INT64_MAX, INT64_MAX, INT64_MAX,
	 0, INT64_MAX},
	{"den 0", 1, 1, 0, -1, 0},
	{"den negative", 1, 1, -2, -1, 0},
	{"overflow MAX * 2 / 1", INT64_MAX, 2, 1, -1, 0},
	{"overflow MIN * -1 / 1", INT64_MIN, -1, 1, -1, 0},
	{"no overflow MAX * 2 / 2", INT64_MAX, 2, 2, 0, INT64_MAX},
};

static void test_scale(void **state)
{
	const struct scale_case *c = *state;
	int64_t v = 424242;

	assert_int_equal(money_scale(c->amount, c->num, c->den, &v), c->rc);
	assert_int_equal(v, c->rc == 0 ? c->want : 424242);
}

static struct bps_case {
	const char *name;
	int64_t amount, bps;
	int64_t want;
} bps_cases[] = {
	{"10000 bps of 12345 is 12345", 12345, 10000, 12345},
	{"1500 bps of 1999 = 299.85 -> 300", 1999, 1500, 300},
	{"1 bps of 49 = 0.0049 -> 0", 49, 1, 0},
	{"1 bps of 50 = 0.005 -> 0", 50, 1, 0},
	{"1 bps of 5000 = 0.5 -> 1", 5000, 1, 1},
	{"1 bps of -5000 = -0.5 -> -1", -5000, 1, -1},
	{"1 bps of 15000 = 1.5 -> 2", 15000, 1, 2},
	{"0 bps of 999 is 0", 999, 0, 0},
	{"1250 bps of 1000 = 125", 1000, 1250, 125},
};

static void test_percent_bps(void **state)
{
	const struct bps_case *c = *state;
	int64_t v = 0;

	assert_int_equal(money_percent_bps(c->amount, c->bps, &v), 0);
	assert_int_equal(v, c->want);
}

static struct pct_case {
	const char *text;
	int rc;
	int64_t bps;
} pct_cases[] = {
	{"15", 0, 1500},   {"12.5", 0, 1250}, {"0.25", 0, 25},
	{"100", 0, 10000}, {"0", 0, 0},	      {"100.00", 0, 10000},
	{"100.01", -1, 0}, {"-1", -1, 0},     {"abc", -1, 0},
	{"1.234", -1, 0},  {"", -1, 0},	      {"15%", -1, 0},
	{" 15", -1, 0},	   {"101", -1, 0},    {"1e1", -1, 0},
};

static void test_percent_parse(void **state)
{
	const struct pct_case *c = *state;
	int64_t v = 424242;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(percent_parse_bps(c->text, &v, &err), c->rc);
	if (c->rc == 0) {
		assert_int_equal(v, c->bps);
	} else {
		assert_int_equal(v, 424242);
		assert_true(err.len > 0);
	}
	buf_release(&err);
}

enum arith_op { OP_ADD, OP_SUB, OP_MUL };

static struct arith_case {
	const char *name;
	enum arith_op op;
	int64_t a, b;
	int rc;
	int64_t want;
} arith_cases[] = {
	{"add", OP_ADD, 1250, 50, 0, 1300},
	{"add to MAX", OP_ADD, INT64_MAX - 1, 1, 0, INT64_MAX},
	{"add MAX + 1 overflows", OP_ADD, INT64_MAX, 1, -1, 0},
	{"add MIN + -1 overflows", OP_ADD, INT64_MIN, -1, -1, 0},
	{"sub", OP_SUB, 1250, 1300, 0, -50},
	{"sub MIN - 1 overflows", OP_SUB, INT64_MIN, 1, -1, 0},
	{"sub 0 - MIN overflows", OP_SUB, 0, INT64_MIN, -1, 0},
	{"sub MAX - -1 overflows", OP_SUB, INT64_MAX, -1, -1, 0},
	{"mul", OP_MUL, 1250, -3, 0, -3750},
	{"mul MAX * 2 overflows", OP_MUL, INT64_MAX, 2, -1, 0},
	{"mul MIN * -1 overflows", OP_MUL, INT64_MIN, -1, -1, 0},
	{"mul 2^32 * 2^31 overflows", OP_MUL, INT64_C(1) << 32,
	 INT64_C(1) << 31, -1, 0},
	{"mul MIN * 1", OP_MUL, INT64_MIN, 1, 0, INT64_MIN},
};

static void test_arith(void **state)
{
	const struct arith_case *c = *state;
	int64_t v = 424242;
	int rc = -2;

	switch (c->op) {
	case OP_ADD:
		rc = money_add(c->a, c->b, &v);
		break;
	case OP_SUB:
		rc = money_sub(c->a, c->b, &v);
		break;
	case OP_MUL:
		rc = money_mul(c->a, c->b, &v);
		break;
	}
	assert_int_equal(rc, c->rc);
	/* On overflow *out is untouched. */
	assert_int_equal(v, c->rc == 0 ? c->want : 424242);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(exponent_cases); i++)
		add_case(test_exponent, &exponent_cases[i], "exponent \"%s\"",
			 exponent_cases[i].code);
	add_case(test_exponent_null, NULL, "exponent NULL");
	add_case(test_iso_table_sorted, NULL, "ISO 4217 codes all found");
	add_case(test_iso_recent_codes, NULL, "ISO 4217 VED ZWG XCG found");
	for (i = 0; i < COUNT(parse_cases); i++)
		add_case(test_parse, &parse_cases[i], "parse \"%s\" exp %d",
			 parse_cases[i].text, parse_cases[i].exponent);
	add_case(test_parse_n, NULL, "parse_n bounded");
	for (i = 0; i < COUNT(format_cases); i++)
		add_case(test_format, &format_cases[i], "format %s",
			 format_cases[i].text);
	for (i = 0; i < COUNT(scale_cases); i++)
		add_case(test_scale, &scale_cases[i], "scale %s",
			 scale_cases[i].name);
	for (i = 0; i < COUNT(bps_cases); i++)
		add_case(test_percent_bps, &bps_cases[i], "bps %s",
			 bps_cases[i].name);
	for (i = 0; i < COUNT(pct_cases); i++)
		add_case(test_percent_parse, &pct_cases[i],
			 "percent_parse \"%s\"", pct_cases[i].text);
	for (i = 0; i < COUNT(arith_cases); i++)
		add_case(test_arith, &arith_cases[i], "%s",
			 arith_cases[i].name);
	return _cmocka_run_group_tests("money", cases, ncases, NULL, NULL);
}
