/*
 * Shopify: edited orders, the one rule both order parsers (REST webhook
 * bodies and GraphQL Admin answers) apply, so that an order seen by a
 * webhook and by reconciliation is the same neutral order.
 *
 * Shopify's current_* values (current_subtotal_price,
 * currentSubtotalPriceSet, current_quantity, currentQuantity, ...) are
 * what the buyer pays after order edits AND after refunds. The pipeline
 * subtracts every refund's base itself, so taking the current values as
 * they are would take a refunded line off twice. The neutral order is
 * therefore the order as edited, before any refund:
 *
 *   quantity  = current quantity + units refunded on that line,
 *               never more than the line's original quantity
 *   discount  = the line's allocations x that quantity / original quantity
 *   subtotal  = current subtotal + subtotals of the refunded lines
 *   tax       = current tax + taxes of the refunded lines
 *   total     = current total + money refunded
 *   discounts = total discounts less the allocations of removed units
 *
 * An order that was never edited comes out as it came in: the sums give
 * back the original values. A cancelled order is left as placed, since
 * Shopify zeroes a cancelled order's current values and the pipeline
 * reverses a cancelled order's commission whole anyway. Shipping is the
 * order's shipping total either way; it is never in the commission base.
 */
#include "providers/shopify/internal.h"
#include "util/money.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

void shopify_current_init(struct shopify_current *c)
{
	memset(c, 0, sizeof(*c));
	c->subtotal = c->total = c->tax = -1;
}

void shopify_current_release(struct shopify_current *c)
{
	free(c->quantity);
	free(c->refunded);
	shopify_current_init(c);
}

void shopify_current_line(struct shopify_current *c, size_t i, int64_t qty)
{
	size_t k;

	if (i >= c->n) {
		c->quantity =
			xrealloc(c->quantity, (i + 1) * sizeof(*c->quantity));
		c->refunded =
			xrealloc(c->refunded, (i + 1) * sizeof(*c->refunded));
		for (k = c->n; k <= i; k++) {
			c->quantity[k] = -1;
			c->refunded[k] = 0;
		}
		c->n = i + 1;
	}
	c->quantity[i] = qty;
}

const struct order_line *shopify_line_by_id(const struct order *o,
					    const char *line_id)
{
	size_t i;

	for (i = 0; line_id && i < o->nlines; i++)
		if (o->lines[i].id && strcmp(o->lines[i].id, line_id) == 0)
			return &o->lines[i];
	return NULL;
}

int shopify_current_refund(struct shopify_current *c, const struct order *o,
			   const char *line_id, int64_t qty, int64_t subtotal,
			   int64_t tax, struct buf *err)
{
	const struct order_line *l = shopify_line_by_id(o, line_id);

	if (money_add(c->refunded_subtotal, subtotal, &c->refunded_subtotal) <
		    0 ||
	    money_add(c->refunded_tax, tax, &c->refunded_tax) < 0)
		return errorf(err, "refunded lines overflow");
	if (l) {
		size_t i = (size_t)(l - o->lines);

		if (i >= c->n)
			shopify_current_line(c, i, -1);
		if (money_add(c->refunded[i], qty, &c->refunded[i]) < 0)
			return errorf(err, "refunded quantity overflows");
	}
	return 0;
}

/* Line i as edited: its quantity and discount for the units kept. */
static int shopify_settle_line(struct order_line *l, int64_t current,
			       int64_t refunded, int64_t *removed,
			       struct buf *err)
{
	int64_t keep, discount;

	if (current < 0)
		return 0;
	if (money_add(current, refunded, &keep) < 0)
		return errorf(err, "line %s: quantity overflows",
			      l->id ? l->id : "");
	if (keep >= l->quantity)
		return 0;
	if (money_scale(l->discount, keep, l->quantity, &discount) < 0 ||
	    money_add(*removed, l->discount - discount, removed) < 0)
		return errorf(err, "line %s: discount overflows",
			      l->id ? l->id : "");
	l->discount = discount;
	l->quantity = keep;
	return 0;
}

int shopify_settle_edits(struct order *o, const struct shopify_current *c,
			 struct buf *err)
{
	int64_t removed = 0;
	size_t i;

	if (o->cancelled)
		return 0;
	for (i = 0; i < o->nlines && i < c->n; i++)
		if (shopify_settle_line(&o->lines[i], c->quantity[i],
					c->refunded[i], &removed, err) < 0)
			return -1;
	if ((c->subtotal >= 0 &&
	     money_add(c->subtotal, c->refunded_subtotal, &o->subtotal) < 0) ||
	    (c->tax >= 0 && money_add(c->tax, c->refunded_tax, &o->tax) < 0) ||
	    (c->total >= 0 &&
	     money_add(c->total, order_refunded(o), &o->total) < 0))
		return errorf(err, "current totals overflow");
	o->discounts = o->discounts > removed ? o->discounts - removed : 0;
	return 0;
}
