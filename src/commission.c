#include "commission.h"
#include "util/money.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

static int line_base(const struct order_line *l, bool discounted, int64_t *out)
{
	int64_t v;

	if (money_mul(l->price, l->quantity, &v) < 0 ||
	    (discounted && money_sub(v, l->discount, &v) < 0))
		return -1;
	*out = v < 0 ? 0 : v;
	return 0;
}

int commission_base(const struct order *o, enum commission_base base,
		    int64_t *out)
{
	int64_t sum = 0, v;
	size_t i;

	if (base == BASE_TOTAL) {
		*out = o->total;
		return 0;
	}
	/* Platforms that send no lines: their subtotal is the best base. */
	if (o->nlines == 0) {
		if (base == BASE_SUBTOTAL) {
			*out = o->subtotal;
			return 0;
		}
		return money_add(o->subtotal, o->discounts, out);
	}
	for (i = 0; i < o->nlines; i++) {
		if (o->lines[i].gift_card)
			continue;
		if (line_base(&o->lines[i], base == BASE_SUBTOTAL, &v) < 0 ||
		    money_add(sum, v, &sum) < 0)
			return -1;
	}
	*out = sum;
	return 0;
}

static const struct program_rule *
find_rule(const struct program *p, enum rule_kind kind, const char *match)
{
	size_t i;

	if (!match || !match[0])
		return NULL;
	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == kind &&
		    str_ieq(p->rules[i].match, match))
			return &p->rules[i];
	return NULL;
}

static const struct program_rule *line_rule(const struct program *p,
					    const struct order_line *l);

/* The rate for lines without a product rule, with why in words. */
static int64_t order_rate(const struct commission_input *in, char *why,
			  size_t n)
{
	const struct program *p = in->program;
	const struct program_rule *r, *tier = NULL;
	size_t i;

	if ((r = find_rule(p, RULE_NETWORK, in->network))) {
		snprintf(why, n, "%s rate for clicks from %s", "network",
			 in->network);
		return r->rate_bps;
	}
	if ((r = find_rule(p, RULE_COUNTRY, in->order->country))) {
		snprintf(why, n, "rate for buyers in %s", in->order->country);
		return r->rate_bps;
	}
	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == RULE_TIER &&
		    in->recent_orders >= p->rules[i].threshold &&
		    (!tier || p->rules[i].threshold > tier->threshold))
			tier = &p->rules[i];
	if (tier) {
		snprintf(why, n, "tier rate: %lld orders in %d days",
			 (long long)in->recent_orders, COMMISSION_TIER_DAYS);
		return tier->rate_bps;
	}
	snprintf(why, n, "program rate");
	return p->rate_bps;
}

static const struct program_rule *line_rule(const struct program *p,
					    const struct order_line *l)
{
	const struct program_rule *r =
		find_rule(p, RULE_PRODUCT, l->product_id);

	return r ? r : find_rule(p, RULE_PRODUCT, l->sku);
}

/*
 * Splits the base into (amount, rate) parts: each line with a product rule
 * at its own rate, the rest at the order rate. Returns the number of parts.
 */
static int rate_parts(const struct commission_input *in, int64_t base,
		      int64_t rate, int64_t *amounts, int64_t *rates,
		      size_t max, size_t *n)
{
	const struct order *o = in->order;
	int64_t rest = base, v;
	size_t i;

	*n = 0;
	for (i = 0; i < o->nlines && in->program->base != BASE_TOTAL; i++) {
		const struct program_rule *r =
			line_rule(in->program, &o->lines[i]);

		if (!r || o->lines[i].gift_card || *n + 1 >= max)
			continue;
		if (line_base(&o->lines[i], in->program->base == BASE_SUBTOTAL,
			      &v) < 0)
			return -1;
		amounts[*n] = v;
		rates[(*n)++] = r->rate_bps;
		rest -= v;
	}
	amounts[*n] = rest < 0 ? 0 : rest;
	rates[(*n)++] = rate;
	return 0;
}

static int percent_amount(const struct commission_input *in,
			  struct commission_result *out, struct buf *err)
{
	int64_t amounts[64], rates[64], rate;
	char why[160], base_text[64];
	struct buf b;
	size_t n;
	int exp = money_exponent(in->program->currency);

	rate = order_rate(in, why, sizeof(why));
	if (rate_parts(in, out->base, rate, amounts, rates, 64, &n) < 0 ||
	    money_sum_bps(amounts, rates, n, &out->amount) < 0)
		return errorf(err, "commission overflows");
	buf_init(&b, sizeof(base_text));
	if (money_format(&b, out->base, exp < 0 ? 2 : exp) < 0)
		buf_reset(&b);
	snprintf(base_text, sizeof(base_text), "%s", buf_str(&b));
	buf_release(&b);
	snprintf(out->explanation, sizeof(out->explanation),
		 "%lld.%02lld%% of %s %s (%s%s)", (long long)(rate / 100),
		 (long long)(rate % 100), base_text, in->program->currency, why,
		 n > 1 ? "; product rates on some lines" : "");
	return 0;
}

static void format_amount(char *out, size_t n, int64_t amount,
			  const char *currency)
{
	struct buf b;
	int exp = money_exponent(currency);

	buf_init(&b, 64);
	if (money_format(&b, amount, exp < 0 ? 2 : exp) < 0)
		buf_reset(&b);
	snprintf(out, n, "%s %s", buf_str(&b), currency);
	buf_release(&b);
}

int commission_compute(const struct commission_input *in,
		       struct commission_result *out, struct buf *err)
{
	const struct program *p = in->program;
	char a[48], b[48];

	memset(out, 0, sizeof(*out));
	if (commission_base(in->order, p->base, &out->base) < 0)
		return errorf(err, "order amounts overflow");
	/* Nothing commissionable (gift cards only): nothing earned at all. */
	if (out->base <= 0) {
		snprintf(out->explanation, sizeof(out->explanation),
			 "nothing in the order earns a commission");
		return 0;
	}
	if (out->base < p->min_order) {
		format_amount(a, sizeof(a), out->base, p->currency);
		format_amount(b, sizeof(b), p->min_order, p->currency);
		snprintf(out->explanation, sizeof(out->explanation),
			 "order base %s is below the program minimum %s", a, b);
		return 0;
	}
	if (p->reward != REWARD_CASH && p->reward_value > 0) {
		/* A gift of a set value: the reward is the commission. */
		out->amount = p->reward_value;
		format_amount(a, sizeof(a), p->reward_value, p->currency);
		snprintf(out->explanation, sizeof(out->explanation),
			 "a %s worth %s per order",
			 p->reward == REWARD_GIFT_CARD ? "gift card" : "coupon",
			 a);
	} else if (p->commission == COMMISSION_FIXED) {
		out->amount = p->fixed_amount;
		format_amount(a, sizeof(a), p->fixed_amount, p->currency);
		snprintf(out->explanation, sizeof(out->explanation),
			 "fixed %s per order", a);
	} else if (percent_amount(in, out, err) < 0) {
		return -1;
	}
	if (p->cap > 0 && out->amount > p->cap) {
		size_t len = strlen(out->explanation);

		format_amount(a, sizeof(a), p->cap, p->currency);
		snprintf(out->explanation + len, sizeof(out->explanation) - len,
			 ", capped at %s", a);
		out->amount = p->cap;
	}
	out->eligible = true;
	return 0;
}
