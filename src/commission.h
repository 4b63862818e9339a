/*
 * How much an order earns under a program: a pure function of the
 * program, the order and the affiliate's recent volume, so that it can be
 * tested alone and explained in words.
 *
 * Base: BASE_SUBTOTAL (default) is the sum over lines that are not gift
 * cards of price x quantity less the line's discounts; no tax, no
 * shipping. BASE_BEFORE_DISCOUNTS leaves the discounts in; BASE_TOTAL is
 * everything the buyer paid.
 *
 * Rate (percentage programs): a product rule sets the rate of its lines;
 * the other lines take, in this order, the first that applies of: the
 * click's network rule, the buyer's country rule, the highest tier whose
 * threshold the affiliate's orders in the last 30 days reach, the
 * program's rate. The sum of line shares is rounded once (half away from
 * zero), then capped per order. Fixed programs pay their amount per order;
 * programs whose reward is a coupon or gift card of a set value earn that
 * value per order.
 */
#ifndef AFFILIATED_COMMISSION_H
#define AFFILIATED_COMMISSION_H

#include "model/model.h"
#include "model/order.h"

struct commission_input {
	const struct program *program;
	const struct order *order;
	int64_t recent_orders; /* affiliate's commissions, last 30 days */
	const char *network;   /* the click's network, or NULL */
};

struct commission_result {
	bool eligible;	/* false: no commission (see explanation) */
	int64_t base;	/* commissionable amount */
	int64_t amount; /* commission, minor units */
	char explanation[512];
};

/* Days of volume that tiers count. */
#define COMMISSION_TIER_DAYS 30

int commission_compute(const struct commission_input *in,
		       struct commission_result *out, struct buf *err);
/* The commissionable amount of an order under a base rule. */
int commission_base(const struct order *o, enum commission_base base,
		    int64_t *out);

#endif
