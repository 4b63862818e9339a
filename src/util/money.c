#include "util/money.h"
#include "util/parse.h"

#include <string.h>

/*
 * ISO 4217 active codes and their minor-unit exponents. Sorted, searched
 * with bsearch-like loop; codes not listed are refused rather than guessed.
 */
static const struct currency {
	char code[4];
	int exponent;
} currencies[] = {
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
	{"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VED", 2},
	{"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2},
	{"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2},
	{"ZWG", 2}, {"ZWL", 2},
};

int money_exponent(const char *currency)
{
	size_t lo = 0, hi = sizeof(currencies) / sizeof(currencies[0]);

	if (!currency || strlen(currency) != 3)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(currency, currencies[mid].code);

		if (c == 0)
			return currencies[mid].exponent;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool money_currency_valid(const char *currency)
{
	return money_exponent(currency) >= 0;
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_scale(int64_t amount, int64_t num, int64_t den, int64_t *out)
{
	__extension__ typedef __int128 wide;
	wide p, q, r;

	if (den <= 0)
		return -1;
	p = (wide)amount * num;
	q = p / den;
	r = p % den;
	if (r < 0)
		r = -r;
	if (2 * r >= den)
		q += p < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int money_sum_bps(const int64_t *amounts, const int64_t *bps, size_t n,
		  int64_t *out)
{
	__extension__ typedef __int128 wide;
	wide sum = 0, q, r;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (wide)amounts[i] * bps[i];
	q = sum / 10000;
	r = sum % 10000;
	if (r < 0)
		r = -r;
	if (2 * r >= 10000)
		q += sum < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int money_percent_bps(int64_t amount, int64_t bps, int64_t *out)
{
	return money_scale(amount, bps, 10000, out);
}

static int decimal_parse(const char *s, size_t len, int exponent, int64_t *out)
{
	const char *end = s + len;
	bool neg = false, dot = false;
	int decimals = 0, digits = 0;
	int64_t v = 0;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		digits++;
		if (dot && decimals >= exponent) {
			if (*s != '0')
				return -2;
			continue;
		}
		if (dot)
			decimals++;
		if (money_mul(v, 10, &v) < 0 || money_add(v, *s - '0', &v) < 0)
			return -1;
	}
	if (digits == 0)
		return -1;
	for (; decimals < exponent; decimals++)
		if (money_mul(v, 10, &v) < 0)
			return -1;
	*out = neg ? -v : v;
	return 0;
}

int money_parse_n(const char *text, size_t len, int exponent, int64_t *out,
		  struct buf *err)
{
	int rc;

	if (exponent < 0 || exponent > 4)
		return errorf(err, "bad currency exponent %d", exponent);
	rc = decimal_parse(text, len, exponent, out);
	if (rc == -2)
		return errorf(err, "amount '%.*s' has more than %d decimals",
			      (int)len, text, exponent);
	if (rc < 0)
		return errorf(err, "amount '%.*s' is not a decimal number",
			      (int)len, text);
	return 0;
}

int money_parse(const char *text, int exponent, int64_t *out, struct buf *err)
{
	return money_parse_n(text, strlen(text), exponent, out, err);
}

int money_format(struct buf *out, int64_t amount, int exponent)
{
	uint64_t mag = amount < 0 ? -(uint64_t)amount : (uint64_t)amount;
	uint64_t scale = 1;
	int i;

	for (i = 0; i < exponent; i++)
		scale *= 10;
	if (exponent == 0)
		return buf_printf(out, "%s%llu", amount < 0 ? "-" : "",
				  (unsigned long long)mag);
	return buf_printf(out, "%s%llu.%0*llu", amount < 0 ? "-" : "",
			  (unsigned long long)(mag / scale), exponent,
			  (unsigned long long)(mag % scale));
}

int percent_parse_bps(const char *text, int64_t *bps, struct buf *err)
{
	int64_t v;

	if (decimal_parse(text, strlen(text), 2, &v) < 0)
		return errorf(err,
			      "percentage '%s' is not a number with at most "
			      "2 decimals",
			      text);
	if (v < 0 || v > 10000)
		return errorf(err, "percentage '%s' is not between 0 and 100",
			      text);
	*bps = v;
	return 0;
}
