/*
 * commission.h: the pure computation of what an order earns under a
 * program. One table row per rule: the base rules, the one rounding rule
 * (half away from zero) in USD, JPY and KWD, fixed amounts, rewards of a
 * set value, tiers, product/network/country rules and their precedence,
 * the minimum order, the cap, overflow, and the words of the explanation.
 * Cases that may hit signed overflow run in a child process, so that
 * undefined behaviour (fatal under UBSan) fails that case alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "commission.h"
#include "util/xalloc.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct rule_spec {
	bool on;
	enum rule_kind kind;
	const char *match;
	int64_t threshold;
	int64_t rate_bps;
};

struct line_spec {
	const char *product_id;
	const char *sku;
	int64_t price;
	int64_t quantity; /* 0: no line */
	int64_t discount;
	bool gift_card;
};

#define RULE(k, m, t, r)         \
	{                        \
		true, k, m, t, r \
	}
#define LINE(pid, sku, price, qty, disc)          \
	{                                         \
		pid, sku, price, qty, disc, false \
	}
#define GIFT(price)                             \
	{                                       \
		"GC", "GIFT", price, 1, 0, true \
	}

struct comm_case {
	const char *name;
	/* program */
	const char *currency; /* NULL: USD */
	enum commission_base base;
	enum commission_type type;
	int64_t rate_bps;
	int64_t fixed;
	enum reward_kind reward;
	int64_t reward_value;
	int64_t min_order;
	int64_t cap;
	struct rule_spec rules[4];
	/* order */
	struct line_spec lines[4];
	int64_t subtotal, total, discounts, tax, shipping;
	const char *country;
	/* context */
	int64_t recent;
	const char *network;
	/* expected */
	int rc;
	bool eligible;
	int64_t want_base;
	int64_t want_amount;
	const char *say[3]; /* substrings of the explanation (or error) */
	bool isolate;	    /* may hit signed overflow: run in a child */
	bool nothing;	    /* only: earns nothing (ineligible or 0) */
};

static const struct comm_case comm_cases[] = {
	/* The base. */
	{.name = "base subtotal: lines after discounts, no tax/shipping",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 1000, 2, 200), LINE("P2", "B", 500, 1, 0)},
	 .subtotal = 2300,
	 .total = 2800,
	 .discounts = 200,
	 .tax = 300,
	 .shipping = 200,
	 .eligible = true,
	 .want_base = 2300,
	 .want_amount = 230,
	 .say = {"10.00%", "23.00 USD", "program rate"}},
	{.name = "base before_discounts: discounts left in",
	 .base = BASE_BEFORE_DISCOUNTS,
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 1000, 2, 200), LINE("P2", "B", 500, 1, 0)},
	 .subtotal = 2300,
	 .total = 2800,
	 .discounts = 200,
	 .tax = 300,
	 .shipping = 200,
	 .eligible = true,
	 .want_base = 2500,
	 .want_amount = 250,
	 .say = {"10.00%", "25.00 USD"}},
	{.name = "base total: everything paid",
	 .base = BASE_TOTAL,
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 1000, 2, 200), LINE("P2", "B", 500, 1, 0)},
	 .subtotal = 2300,
	 .total = 2800,
	 .discounts = 200,
	 .tax = 300,
	 .shipping = 200,
	 .eligible = true,
	 .want_base = 2800,
	 .want_amount = 280,
	 .say = {"10.00%", "28.00 USD"}},
	{.name = "gift-card lines are not commissionable",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 1000, 1, 0), GIFT(5000)},
	 .subtotal = 6000,
	 .total = 6000,
	 .eligible = true,
	 .want_base = 1000,
	 .want_amount = 100},
	{.name = "gift card only: base 0, nothing earned",
	 .rate_bps = 1000,
	 .lines = {GIFT(5000)},
	 .subtotal = 5000,
	 .total = 5000,
	 .eligible = false,
	 .want_base = 0,
	 .want_amount = 0},
	{.name = "no lines: the order's subtotal is the base",
	 .rate_bps = 1000,
	 .subtotal = 1234,
	 .total = 1500,
	 .discounts = 66,
	 .eligible = true,
	 .want_base = 1234,
	 .want_amount = 123},
	{.name = "no lines, before_discounts: subtotal + discounts",
	 .base = BASE_BEFORE_DISCOUNTS,
	 .rate_bps = 1000,
	 .subtotal = 1234,
	 .total = 1500,
	 .discounts = 66,
	 .eligible = true,
	 .want_base = 1300,
	 .want_amount = 130},
	{.name = "line discount above the price: line counts 0",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 1000, 1, 1500), LINE("P2", "B", 800, 1, 0)},
	 .subtotal = 800,
	 .total = 800,
	 .eligible = true,
	 .want_base = 800,
	 .want_amount = 80},

	/* The rounding rule: half away from zero, once. */
	{.name = "15% of 19.99 USD = 2.9985 -> 3.00",
	 .rate_bps = 1500,
	 .lines = {LINE("P1", "A", 1999, 1, 0)},
	 .subtotal = 1999,
	 .total = 1999,
	 .eligible = true,
	 .want_base = 1999,
	 .want_amount = 300,
	 .say = {"15.00% of 19.99 USD"}},
	{.name = "12.5% of 0.01 USD = 0.00125 -> 0",
	 .rate_bps = 1250,
	 .lines = {LINE("P1", "A", 1, 1, 0)},
	 .subtotal = 1,
	 .total = 1,
	 .eligible = true,
	 .want_base = 1,
	 .want_amount = 0,
	 .say = {"12.50% of 0.01 USD"}},
	{.name = "50% of 0.01 USD = 0.005 -> 0.01 (half rounds up)",
	 .rate_bps = 5000,
	 .lines = {LINE("P1", "A", 1, 1, 0)},
	 .subtotal = 1,
	 .total = 1,
	 .eligible = true,
	 .want_base = 1,
	 .want_amount = 1},
	{.name = "10% of 0.05 USD = 0.005 -> 0.01",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 5, 1, 0)},
	 .subtotal = 5,
	 .total = 5,
	 .eligible = true,
	 .want_base = 5,
	 .want_amount = 1},
	{.name = "10% of 0.04 USD = 0.004 -> 0",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 4, 1, 0)},
	 .subtotal = 4,
	 .total = 4,
	 .eligible = true,
	 .want_base = 4,
	 .want_amount = 0},
	{.name = "rounded once over the lines, not per line",
	 /* 3 lines of 0.05 at 10%: 0.005 each would round to 3 cents per
	    line; once over the sum 0.015 -> 2 cents. */
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 5, 1, 0), LINE("P2", "B", 5, 1, 0),
		   LINE("P3", "C", 5, 1, 0)},
	 .rules = {RULE(RULE_PRODUCT, "P1", 0, 1000),
		   RULE(RULE_PRODUCT, "P2", 0, 1000)},
	 .subtotal = 15,
	 .total = 15,
	 .eligible = true,
	 .want_base = 15,
	 .want_amount = 2},
	{.name = "JPY (exponent 0): 10% of 1995 JPY = 199.5 -> 200",
	 .currency = "JPY",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 1995, 1, 0)},
	 .subtotal = 1995,
	 .total = 1995,
	 .eligible = true,
	 .want_base = 1995,
	 .want_amount = 200,
	 .say = {"10.00% of 1995 JPY"}},
	{.name = "JPY: 7.5% of 3 JPY = 0.225 -> 0",
	 .currency = "JPY",
	 .rate_bps = 750,
	 .lines = {LINE("P1", "A", 3, 1, 0)},
	 .subtotal = 3,
	 .total = 3,
	 .eligible = true,
	 .want_base = 3,
	 .want_amount = 0},
	{.name = "KWD (exponent 3): 12.5% of 1.005 KWD = 125.625 -> 126",
	 .currency = "KWD",
	 .rate_bps = 1250,
	 .lines = {LINE("P1", "A", 1005, 1, 0)},
	 .subtotal = 1005,
	 .total = 1005,
	 .eligible = true,
	 .want_base = 1005,
	 .want_amount = 126,
	 .say = {"12.50% of 1.005 KWD"}},
	{.name = "KWD fixed 0.250 per order",
	 .currency = "KWD",
	 .type = COMMISSION_FIXED,
	 .fixed = 250,
	 .lines = {LINE("P1", "A", 9000, 1, 0)},
	 .subtotal = 9000,
	 .total = 9000,
	 .eligible = true,
	 .want_base = 9000,
	 .want_amount = 250,
	 .say = {"fixed 0.250 KWD per order"}},

	/* Fixed amounts and rewards of a set value. */
	{.name = "fixed amount per order, whatever the base",
	 .type = COMMISSION_FIXED,
	 .fixed = 500,
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 12345, 1, 0)},
	 .subtotal = 12345,
	 .total = 12345,
	 .eligible = true,
	 .want_base = 12345,
	 .want_amount = 500,
	 .say = {"fixed 5.00 USD per order"}},
	{.name = "fixed program, gift-card-only order: earns nothing",
	 /* order.h: buying a gift card earns no commission (the card
	    earns when it is spent). */
	 .type = COMMISSION_FIXED,
	 .fixed = 500,
	 .lines = {GIFT(5000)},
	 .subtotal = 5000,
	 .total = 5000,
	 .nothing = true},
	{.name = "coupon reward of a set value earns that value",
	 .reward = REWARD_COUPON,
	 .reward_value = 1500,
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 4000, 1, 0)},
	 .subtotal = 4000,
	 .total = 4000,
	 .eligible = true,
	 .want_base = 4000,
	 .want_amount = 1500,
	 .say = {"a coupon worth 15.00 USD per order"}},
	{.name = "gift card reward of a set value earns that value",
	 .reward = REWARD_GIFT_CARD,
	 .reward_value = 2000,
	 .type = COMMISSION_FIXED,
	 .fixed = 100,
	 .lines = {LINE("P1", "A", 4000, 1, 0)},
	 .subtotal = 4000,
	 .total = 4000,
	 .eligible = true,
	 .want_base = 4000,
	 .want_amount = 2000,
	 .say = {"a gift card worth 20.00 USD"}},
	{.name = "coupon reward without a value is worth the commission",
	 .reward = REWARD_COUPON,
	 .reward_value = 0,
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", 4000, 1, 0)},
	 .subtotal = 4000,
	 .total = 4000,
	 .eligible = true,
	 .want_base = 4000,
	 .want_amount = 400,
	 .say = {"10.00% of 40.00 USD"}},

	/* Tiers. */
	{.name = "tier not reached: program rate",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 20, 1500),
		   RULE(RULE_TIER, "", 50, 2000)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .recent = 19,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1000,
	 .say = {"program rate"}},
	{.name = "tier threshold reached exactly",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 20, 1500),
		   RULE(RULE_TIER, "", 50, 2000)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .recent = 20,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1500,
	 .say = {"15.00%", "tier rate: 20 orders in 30"}},
	{.name = "highest tier reached wins, whatever the rule order",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 50, 2000), RULE(RULE_TIER, "", 5, 1200),
		   RULE(RULE_TIER, "", 20, 1500)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .recent = 60,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 2000,
	 .say = {"20.00%", "60 orders in 30 days"}},
	{.name = "tier may also lower the rate",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 3, 500)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .recent = 3,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 500},

	/* Product rules. */
	{.name = "product rule by product id on one line, program rate rest",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_PRODUCT, "P1", 0, 3000)},
	 .lines = {LINE("P1", "A", 2000, 1, 0), LINE("P2", "B", 1000, 1, 0)},
	 .subtotal = 3000,
	 .total = 3000,
	 .eligible = true,
	 .want_base = 3000,
	 .want_amount = 700,
	 .say = {"product rates on some lines"}},
	{.name = "product rule by SKU, case-insensitive",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_PRODUCT, "sku-9", 0, 5000)},
	 .lines = {LINE("P1", "SKU-9", 2000, 2, 1000),
		   LINE("P2", "B", 1000, 1, 0)},
	 .subtotal = 4000,
	 .total = 4000,
	 .eligible = true,
	 .want_base = 4000,
	 .want_amount = 1500 + 100},
	{.name = "product rule on a gift-card line does not count",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_PRODUCT, "GC", 0, 5000)},
	 .lines = {LINE("P1", "A", 1000, 1, 0), GIFT(5000)},
	 .subtotal = 6000,
	 .total = 6000,
	 .eligible = true,
	 .want_base = 1000,
	 .want_amount = 100},
	{.name = "product rule with the tier rate on the other lines",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_PRODUCT, "P1", 0, 0),
		   RULE(RULE_TIER, "", 1, 2000)},
	 .lines = {LINE("P1", "A", 5000, 1, 0), LINE("P2", "B", 1000, 1, 0)},
	 .subtotal = 6000,
	 .total = 6000,
	 .recent = 1,
	 .eligible = true,
	 .want_base = 6000,
	 .want_amount = 200},

	/* Network and country rules, precedence. */
	{.name = "network rule by the click's network",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_NETWORK, "facebook", 0, 2500)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .network = "facebook",
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 2500,
	 .say = {"25.00%", "network rate for clicks from facebook"}},
	{.name = "network rule of another network does not apply",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_NETWORK, "facebook", 0, 2500)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .network = "x",
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1000},
	{.name = "country rule by the buyer's country",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_COUNTRY, "NO", 0, 1800)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .country = "NO",
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1800,
	 .say = {"rate for buyers in NO"}},
	{.name = "precedence: network > country > tier > program",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 1, 1200),
		   RULE(RULE_COUNTRY, "NO", 0, 1500),
		   RULE(RULE_NETWORK, "x", 0, 2000)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .country = "NO",
	 .network = "x",
	 .recent = 5,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 2000,
	 .say = {"network rate"}},
	{.name = "precedence: country > tier when no network rule applies",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 1, 1200),
		   RULE(RULE_COUNTRY, "NO", 0, 1500),
		   RULE(RULE_NETWORK, "x", 0, 2000)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .country = "NO",
	 .network = "email",
	 .recent = 5,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1500,
	 .say = {"rate for buyers in NO"}},
	{.name = "precedence: tier > program rate",
	 .rate_bps = 1000,
	 .rules = {RULE(RULE_TIER, "", 1, 1200),
		   RULE(RULE_COUNTRY, "NO", 0, 1500),
		   RULE(RULE_NETWORK, "x", 0, 2000)},
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .country = "SE",
	 .recent = 5,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1200,
	 .say = {"tier rate"}},

	/* Minimum order and cap. */
	{.name = "below the minimum order: not eligible, both amounts named",
	 .rate_bps = 1000,
	 .min_order = 1000,
	 .lines = {LINE("P1", "A", 999, 1, 0)},
	 .subtotal = 999,
	 .total = 999,
	 .eligible = false,
	 .want_base = 999,
	 .want_amount = 0,
	 .say = {"9.99 USD", "10.00 USD", "minimum"}},
	{.name = "minimum order reached exactly: eligible",
	 .rate_bps = 1000,
	 .min_order = 1000,
	 .lines = {LINE("P1", "A", 1000, 1, 0)},
	 .subtotal = 1000,
	 .total = 1000,
	 .eligible = true,
	 .want_base = 1000,
	 .want_amount = 100},
	{.name = "minimum order in JPY named in yen",
	 .currency = "JPY",
	 .rate_bps = 1000,
	 .min_order = 5000,
	 .lines = {LINE("P1", "A", 4999, 1, 0)},
	 .subtotal = 4999,
	 .total = 4999,
	 .eligible = false,
	 .want_base = 4999,
	 .say = {"4999 JPY", "5000 JPY"}},
	{.name = "cap per order",
	 .rate_bps = 1000,
	 .cap = 2500,
	 .lines = {LINE("P1", "A", 100000, 1, 0)},
	 .subtotal = 100000,
	 .total = 100000,
	 .eligible = true,
	 .want_base = 100000,
	 .want_amount = 2500,
	 .say = {"10.00% of 1000.00 USD", "capped at 25.00"}},
	{.name = "cap not reached: untouched",
	 .rate_bps = 1000,
	 .cap = 2500,
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 1000},
	{.name = "cap applies to a fixed amount too",
	 .type = COMMISSION_FIXED,
	 .fixed = 500,
	 .cap = 300,
	 .lines = {LINE("P1", "A", 10000, 1, 0)},
	 .subtotal = 10000,
	 .total = 10000,
	 .eligible = true,
	 .want_base = 10000,
	 .want_amount = 300,
	 .say = {"capped at 3.00 USD"}},

	/* Overflow: an error, never undefined behaviour. */
	{.name = "overflow: price x quantity",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", INT64_MAX / 2 + 1, 2, 0)},
	 .subtotal = 1,
	 .total = 1,
	 .rc = -1,
	 .say = {"overflow"},
	 .isolate = true},
	{.name = "overflow: sum of lines",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", INT64_MAX, 1, 0), LINE("P2", "B", 1, 1, 0)},
	 .subtotal = 1,
	 .total = 1,
	 .rc = -1,
	 .say = {"overflow"},
	 .isolate = true},
	{.name = "overflow: line price minus a negative discount",
	 .rate_bps = 1000,
	 .lines = {LINE("P1", "A", INT64_MAX, 1, -1)},
	 .subtotal = 1,
	 .total = 1,
	 .rc = -1,
	 .say = {"overflow"},
	 .isolate = true},
	{.name = "overflow: rate above 100% of the largest base",
	 .rate_bps = 20000,
	 .lines = {LINE("P1", "A", INT64_MAX, 1, 0)},
	 .subtotal = INT64_MAX,
	 .total = INT64_MAX,
	 .rc = -1,
	 .say = {"overflow"},
	 .isolate = true},
	{.name = "100% of the largest base: exact, no overflow",
	 .rate_bps = 10000,
	 .lines = {LINE("P1", "A", INT64_MAX, 1, 0)},
	 .subtotal = INT64_MAX,
	 .total = INT64_MAX,
	 .eligible = true,
	 .want_base = INT64_MAX,
	 .want_amount = INT64_MAX,
	 .isolate = true},
	{.name = "overflow: no lines, before_discounts, subtotal + discounts",
	 .base = BASE_BEFORE_DISCOUNTS,
	 .rate_bps = 1000,
	 .subtotal = INT64_MAX,
	 .total = INT64_MAX,
	 .discounts = 1,
	 .rc = -1,
	 .say = {"overflow"},
	 .isolate = true},
};

static void build(const struct comm_case *c, struct program *p, struct order *o)
{
	size_t i;

	program_init(p);
	p->id = 1;
	p->shop_id = 1;
	p->name = xstrdup("Test");
	p->currency = xstrdup(c->currency ? c->currency : "USD");
	p->base = c->base;
	p->commission = c->type;
	p->rate_bps = c->rate_bps;
	p->fixed_amount = c->fixed;
	p->reward = c->reward;
	p->reward_value = c->reward_value;
	p->min_order = c->min_order;
	p->cap = c->cap;
	for (i = 0; i < COUNT(c->rules) && c->rules[i].on; i++)
		program_add_rule(p, c->rules[i].kind, c->rules[i].match,
				 c->rules[i].threshold, c->rules[i].rate_bps);

	order_init(o);
	o->id = xstrdup("1001");
	o->currency = xstrdup(p->currency);
	o->country = c->country ? xstrdup(c->country) : NULL;
	o->subtotal = c->subtotal;
	o->total = c->total;
	o->discounts = c->discounts;
	o->tax = c->tax;
	o->shipping = c->shipping;
	o->financial = ORDER_PAID;
	for (i = 0; i < COUNT(c->lines) && c->lines[i].quantity; i++) {
		struct order_line *l = order_add_line(o);

		l->product_id = xstrdup(c->lines[i].product_id);
		l->sku = xstrdup(c->lines[i].sku);
		l->price = c->lines[i].price;
		l->quantity = c->lines[i].quantity;
		l->discount = c->lines[i].discount;
		l->gift_card = c->lines[i].gift_card;
	}
}

/* Runs the computation; 0 when everything matches, else a reason. */
static int check(const struct comm_case *c, char *why, size_t n)
{
	struct program p;
	struct order o;
	struct commission_input in;
	struct commission_result res;
	struct buf err;
	const char *text;
	int rc, bad = 0;
	size_t i;

	build(c, &p, &o);
	buf_init(&err, BUF_SMALL);
	memset(&in, 0, sizeof(in));
	in.program = &p;
	in.order = &o;
	in.recent_orders = c->recent;
	in.network = c->network;
	rc = commission_compute(&in, &res, &err);
	text = rc < 0 ? buf_str(&err) : res.explanation;
	why[0] = '\0';
	if (rc != c->rc) {
		snprintf(why, n, "rc %d, want %d (%s)", rc, c->rc, text);
		bad = 1;
	} else if (rc == 0 && c->nothing) {
		if (res.eligible && res.amount != 0) {
			snprintf(why, n, "earns %lld (%s)",
				 (long long)res.amount, text);
			bad = 1;
		}
	} else if (rc == 0 &&
		   (res.eligible != c->eligible || res.base != c->want_base ||
		    res.amount != c->want_amount)) {
		snprintf(why, n,
			 "eligible %d base %lld amount %lld, want %d %lld "
			 "%lld (%s)",
			 res.eligible, (long long)res.base,
			 (long long)res.amount, c->eligible,
			 (long long)c->want_base, (long long)c->want_amount,
			 text);
		bad = 1;
	}
	for (i = 0; !bad && i < COUNT(c->say) && c->say[i]; i++)
		if (!strstr(text, c->say[i])) {
			snprintf(why, n, "'%s' does not say '%s'", text,
				 c->say[i]);
			bad = 1;
		}
	buf_release(&err);
	order_release(&o);
	program_release(&p);
	return bad;
}

static void test_compute(void **state)
{
	const struct comm_case *c = *state;
	char why[1024];

	if (check(c, why, sizeof(why)))
		fail_msg("%s", why);
}

/* The same in a child: signed overflow (fatal under UBSan) fails here. */
static void test_compute_isolated(void **state)
{
	const struct comm_case *c = *state;
	char why[1024];
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int bad = check(c, why, sizeof(why));

		if (bad)
			fprintf(stderr, "%s\n", why);
		_exit(bad ? 3 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) == 3)
		fail_msg("%s", "wrong result (see above)");
	if (WEXITSTATUS(status) != 0)
		fail_msg("exit %d: undefined behaviour or a sanitizer report "
			 "(see above)",
			 WEXITSTATUS(status));
}

/* commission_base alone, for each base rule. */
struct base_case {
	const char *name;
	enum commission_base base;
	bool with_lines;
	int64_t want;
};

static const struct base_case base_cases[] = {
	{"commission_base subtotal with lines", BASE_SUBTOTAL, true, 1900},
	{"commission_base before_discounts with lines", BASE_BEFORE_DISCOUNTS,
	 true, 2000},
	{"commission_base total with lines", BASE_TOTAL, true, 2500},
	{"commission_base subtotal without lines", BASE_SUBTOTAL, false, 1900},
	{"commission_base before_discounts without lines",
	 BASE_BEFORE_DISCOUNTS, false, 2000},
	{"commission_base total without lines", BASE_TOTAL, false, 2500},
};

static void test_base(void **state)
{
	const struct base_case *c = *state;
	struct order o;
	int64_t v = -1;

	order_init(&o);
	o.subtotal = 1900;
	o.discounts = 100;
	o.total = 2500; /* tax 400, shipping 200 */
	o.tax = 400;
	o.shipping = 200;
	if (c->with_lines) {
		struct order_line *l = order_add_line(&o);

		l->price = 1000;
		l->quantity = 2;
		l->discount = 100;
		l = order_add_line(&o);
		l->price = 3000;
		l->gift_card = true;
	}
	assert_int_equal(commission_base(&o, c->base, &v), 0);
	assert_int_equal(v, c->want);
	order_release(&o);
}

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(comm_cases); i++)
		add_case(comm_cases[i].isolate ? test_compute_isolated
					       : test_compute,
			 (void *)(uintptr_t)&comm_cases[i], "%s",
			 comm_cases[i].name);
	for (i = 0; i < COUNT(base_cases); i++)
		add_case(test_base, (void *)(uintptr_t)&base_cases[i], "%s",
			 base_cases[i].name);
	return _cmocka_run_group_tests("commission", cases, ncases, NULL, NULL);
}
