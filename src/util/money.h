/*
 * Money as int64_t minor units of an ISO 4217 currency. Never a double.
 * Rounding rule (the only one): when a share of an amount is not a whole
 * number of minor units it is rounded half away from zero, once, at the end
 * of the computation.
 */
#ifndef AFFILIATED_MONEY_H
#define AFFILIATED_MONEY_H

#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* Minor-unit exponent of an ISO 4217 code (USD 2, JPY 0, KWD 3), or -1. */
int money_exponent(const char *currency);
bool money_currency_valid(const char *currency);

/*
 * Parses a decimal text ("12.50", "-3", "1200", "0.1") into minor units of
 * a currency with the given exponent. Extra decimals are accepted only when
 * they are zeros ("12.500" is 1250 for USD; "10.005" is an error). No
 * exponent notation, no spaces.
 */
int money_parse(const char *text, int exponent, int64_t *out, struct buf *err);
/* Same, over a text that is not NUL-terminated. */
int money_parse_n(const char *text, size_t len, int exponent, int64_t *out,
		  struct buf *err);

/* Writes minor units as a plain decimal ("12.50", "-0.05", "1200"). */
int money_format(struct buf *out, int64_t amount,
		 int exponent) WARN_UNUSED_RESULT;

/* Checked arithmetic: 0, or -1 on overflow (*out untouched). */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

/* amount * num / den, rounded half away from zero; den > 0. */
int money_scale(int64_t amount, int64_t num, int64_t den, int64_t *out);
/* amount * bps / 10000 (basis points), rounded as above. */
int money_percent_bps(int64_t amount, int64_t bps, int64_t *out);

/*
 * The sum over i of amounts[i] * bps[i] / 10000, computed exactly and
 * rounded once at the end (half away from zero).
 */
int money_sum_bps(const int64_t *amounts, const int64_t *bps, size_t n,
		  int64_t *out);

/* Parses a percentage text ("15", "12.5", "0.25") into basis points. */
int percent_parse_bps(const char *text, int64_t *bps, struct buf *err);

#endif
