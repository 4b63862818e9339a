/*
 * Shopify: REST order and refund JSON, as the webhooks deliver them, into
 * the neutral order. The Admin API is read through GraphQL instead
 * (shopify_order_graphql.c); both apply shopify_order_edit.c's rule.
 */
#include "providers/shopify/internal.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *shopify_dup(const cJSON *obj, const char *key)
{
	const char *v = shopify_str(obj, key);

	return v && v[0] ? xstrdup(v) : NULL;
}

/* A decimal money member of obj. */
static int shopify_money(const cJSON *obj, const char *key, int exp,
			 int64_t *out, struct buf *err)
{
	return json_money(obj, key, exp, out, err);
}

static const char *shopify_set_amount(const cJSON *obj, const char *set,
				      const char *which)
{
	return shopify_str(json_get(json_get(obj, set), which), "amount");
}

int shopify_financial(const char *s, enum order_financial *out)
{
	if (!s || strcmp(s, "pending") == 0 || strcmp(s, "authorized") == 0 ||
	    strcmp(s, "partially_paid") == 0 || strcmp(s, "expired") == 0)
		*out = ORDER_PENDING;
	else if (strcmp(s, "paid") == 0)
		*out = ORDER_PAID;
	else if (strcmp(s, "partially_refunded") == 0)
		*out = ORDER_PARTIALLY_REFUNDED;
	else if (strcmp(s, "refunded") == 0)
		*out = ORDER_REFUNDED;
	else if (strcmp(s, "voided") == 0)
		*out = ORDER_VOIDED;
	else
		return -1;
	return 0;
}

static int shopify_line(const cJSON *j, int exp, struct order_line *l,
			int64_t *current, struct buf *err)
{
	const cJSON *allocs, *a;
	bool bad = false, gift = false;
	int64_t v;

	if (!cJSON_IsObject(j))
		return errorf(err, "each line item should be an object");
	l->id = shopify_dup(j, "id");
	l->product_id = shopify_dup(j, "product_id");
	l->sku = shopify_dup(j, "sku");
	l->title = shopify_dup(j, "title");
	allocs = json_array(j, "discount_allocations", &bad, err);
	if (bad || json_int(j, "quantity", 1, &l->quantity, err) < 0 ||
	    json_int(j, "current_quantity", -1, current, err) < 0 ||
	    shopify_money(j, "price", exp, &l->price, err) < 0 ||
	    json_bool(j, "gift_card", false, &gift, err) < 0)
		return error_prefix(err, "line item");
	l->gift_card = gift;
	/* The allocations are the truth; total_discount often reads 0.00. */
	if (allocs && cJSON_GetArraySize(allocs) > 0) {
		cJSON_ArrayForEach(a, allocs)
		{
			if (shopify_money(a, "amount", exp, &v, err) < 0 ||
			    money_add(l->discount, v, &l->discount) < 0)
				return error_prefix(err, "discount allocation");
		}
	} else if (shopify_money(j, "total_discount", exp, &l->discount, err) <
		   0) {
		return error_prefix(err, "line item");
	}
	if (l->quantity < 0 || l->price < 0 || l->discount < 0 || *current < -1)
		return errorf(err, "line item with negative amounts");
	return 0;
}

/* A money member of obj's key_set.shop_money, or of key itself. */
static int shopify_shop_money(const cJSON *obj, const char *key, int exp,
			      int64_t *out, struct buf *err)
{
	char set[64];
	const char *v;

	snprintf(set, sizeof(set), "%s_set", key);
	v = shopify_set_amount(obj, set, "shop_money");
	*out = 0;
	if (v)
		return money_parse(v, exp, out, err);
	return shopify_money(obj, key, exp, out, err);
}

/* Money returned in shop currency, by transactions in that currency. */
static int shopify_refund_paid(const cJSON *j, const char *currency, int exp,
			       int64_t *amount, bool *foreign, struct buf *err)
{
	const cJSON *t;
	int64_t v;

	*amount = 0;
	*foreign = false;
	cJSON_ArrayForEach(t, json_get(j, "transactions"))
	{
		const char *kind = shopify_str(t, "kind");
		const char *status = shopify_str(t, "status");
		const char *cur = shopify_str(t, "currency");

		if (!kind || strcmp(kind, "refund") != 0 ||
		    (status && strcmp(status, "success") != 0))
			continue;
		/* Shopify refunds in the buyer's (presentment) currency. */
		if (cur && strcmp(cur, currency) != 0) {
			*foreign = true;
			continue;
		}
		if (shopify_money(t, "amount", exp, &v, err) < 0 ||
		    money_add(*amount, v, amount) < 0)
			return error_prefix(err, "refund transaction");
	}
	return 0;
}

/*
 * The refunded lines in shop money: base (subtotals of lines that are
 * not gift cards) and total (subtotals and taxes of every line).
 */
static int shopify_refund_lines(const cJSON *j, int exp, const struct order *o,
				struct shopify_current *c, int64_t *base,
				int64_t *total, struct buf *err)
{
	const cJSON *li;
	int64_t sub, tax, qty;
	bool gift = false;

	*base = *total = 0;
	cJSON_ArrayForEach(li, json_get(j, "refund_line_items"))
	{
		if (shopify_shop_money(li, "subtotal", exp, &sub, err) < 0 ||
		    shopify_shop_money(li, "total_tax", exp, &tax, err) < 0 ||
		    json_int(li, "quantity", 0, &qty, err) < 0 ||
		    json_bool(json_get(li, "line_item"), "gift_card", false,
			      &gift, err) < 0)
			return error_prefix(err, "refund line");
		if (c && shopify_current_refund(c, o,
						shopify_str(li, "line_item_id"),
						qty, sub, tax, err) < 0)
			return -1;
		if (money_add(*total, sub, total) < 0 ||
		    money_add(*total, tax, total) < 0 ||
		    (!gift && money_add(*base, sub, base) < 0))
			return errorf(err, "refund overflows");
	}
	return 0;
}

/* Shipping refunded, and whether every adjustment was shipping. */
static int shopify_refund_adjustments(const cJSON *j, int exp,
				      int64_t *shipping, bool *only_shipping,
				      struct buf *err)
{
	const cJSON *a;
	int64_t v;

	*shipping = 0;
	*only_shipping =
		cJSON_GetArraySize(json_get(j, "order_adjustments")) > 0;
	cJSON_ArrayForEach(a, json_get(j, "order_adjustments"))
	{
		const char *kind = shopify_str(a, "kind");

		if (!kind || strcmp(kind, "shipping_refund") != 0) {
			*only_shipping = false;
			continue;
		}
		/* Adjustments are negative: money taken off the order. */
		if (shopify_shop_money(a, "amount", exp, &v, err) < 0)
			return error_prefix(err, "order adjustment");
		*shipping -= v;
	}
	return 0;
}

/* o and c: the order being read, NULL for a refund webhook's body. */
static int shopify_refund(const cJSON *j, const char *currency,
			  const struct order *o, struct shopify_current *c,
			  struct order_refund *r, struct buf *err)
{
	int exp = money_exponent(currency);
	int64_t paid, base, lines_total, shipping;
	bool foreign, only_shipping, has_lines;

	if (!cJSON_IsObject(j) || !(r->id = shopify_dup(j, "id")))
		return errorf(err, "a refund has no id");
	if (shopify_str(j, "created_at"))
		parse_iso8601(shopify_str(j, "created_at"), &r->created_at);
	has_lines = cJSON_GetArraySize(json_get(j, "refund_line_items")) > 0;
	if (shopify_refund_paid(j, currency, exp, &paid, &foreign, err) < 0 ||
	    shopify_refund_lines(j, exp, o, c, &base, &lines_total, err) < 0 ||
	    shopify_refund_adjustments(j, exp, &shipping, &only_shipping, err) <
		    0)
		return -1;
	/* Paid in another currency: count what the lines were worth here. */
	r->amount = foreign && paid == 0 ? lines_total + shipping : paid;
	if (has_lines)
		r->base = base;
	else if (only_shipping)
		r->base = 0; /* shipping is never in the base */
	else
		r->base = -1; /* money only: the pipeline prorates it */
	return 0;
}

static int shopify_lists(const cJSON *root, int exp, struct order *o,
			 struct shopify_current *c, struct buf *err)
{
	bool bad = false;
	const cJSON *lines = json_array(root, "line_items", &bad, err);
	const cJSON *codes = json_array(root, "discount_codes", &bad, err);
	const cJSON *attrs = json_array(root, "note_attributes", &bad, err);
	const cJSON *refunds = json_array(root, "refunds", &bad, err);
	const cJSON *it;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, lines)
	{
		int64_t current = -1;
		int rc =
			shopify_line(it, exp, order_add_line(o), &current, err);

		shopify_current_line(c, o->nlines - 1, current);
		if (rc < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, codes)
	{
		if (shopify_str(it, "code") && shopify_str(it, "code")[0])
			order_add_code(o, shopify_str(it, "code"));
	}
	cJSON_ArrayForEach(it, attrs)
	{
		if (shopify_str(it, "name") && shopify_str(it, "value"))
			order_add_attr(o, shopify_str(it, "name"),
				       shopify_str(it, "value"));
	}
	cJSON_ArrayForEach(it, refunds)
	{
		struct order_refund *r = order_add_refund(o);

		if (shopify_refund(it, o->currency, o, c, r, err) < 0)
			return -1;
	}
	return 0;
}

static int shopify_presentment(const cJSON *root, struct order *o,
			       struct buf *err)
{
	const char *cur = shopify_str(root, "presentment_currency");
	const char *amount = shopify_set_amount(root, "total_price_set",
						"presentment_money");
	int exp = money_exponent(cur);

	if (!cur)
		return 0;
	if (exp < 0)
		return errorf(err, "presentment currency '%s' is unknown", cur);
	o->presentment_currency = xstrdup(cur);
	o->presentment_total = o->total;
	if (amount && money_parse(amount, exp, &o->presentment_total, err) < 0)
		return error_prefix(err, "total_price_set");
	return 0;
}

static int shopify_shipping(const cJSON *root, int exp, struct order *o,
			    struct buf *err)
{
	const char *set = shopify_set_amount(root, "total_shipping_price_set",
					     "shop_money");
	const cJSON *s;
	int64_t v;

	if (set)
		return money_parse(set, exp, &o->shipping, err) < 0
			       ? error_prefix(err, "total_shipping_price_set")
			       : 0;
	cJSON_ArrayForEach(s, json_get(root, "shipping_lines"))
	{
		if (shopify_money(s, "price", exp, &v, err) < 0 ||
		    money_add(o->shipping, v, &o->shipping) < 0)
			return error_prefix(err, "shipping_lines");
	}
	return 0;
}

static void shopify_people(const cJSON *root, struct order *o)
{
	const cJSON *customer = json_get(root, "customer");
	const cJSON *billing = json_get(root, "billing_address");
	const char *email = shopify_str(root, "email");

	o->customer_id = shopify_dup(customer, "id");
	if (!email || !email[0])
		email = shopify_str(root, "contact_email");
	if (!email || !email[0])
		email = shopify_str(customer, "email");
	o->email = email && email[0] ? xstrdup(email) : NULL;
	if (!billing)
		billing = json_get(root, "shipping_address");
	o->country = shopify_dup(billing, "country_code");
	o->browser_ip = shopify_dup(root, "browser_ip");
	if (!o->browser_ip)
		o->browser_ip = shopify_dup(json_get(root, "client_details"),
					    "browser_ip");
	o->landing_url = shopify_dup(root, "landing_site");
	o->referring_site = shopify_dup(root, "referring_site");
}

/* current_* in shop money, -1 when the order does not carry it. */
static int shopify_current_money(const cJSON *root, const char *key, int exp,
				 int64_t *out, struct buf *err)
{
	char set[64];

	snprintf(set, sizeof(set), "%s_set", key);
	*out = -1;
	if (!json_get(root, key) && !json_get(root, set))
		return 0;
	return shopify_shop_money(root, key, exp, out, err);
}

static int shopify_order_read(const cJSON *root, struct order *o,
			      struct shopify_current *c, struct buf *err)
{
	const char *cur = shopify_str(root, "currency");
	bool test = false;
	int exp = money_exponent(cur);

	if (!cJSON_IsObject(root))
		return errorf(err, "an order should be a JSON object");
	if (!(o->id = shopify_dup(root, "id")))
		return errorf(err, "the order has no id");
	if (exp < 0)
		return errorf(err, "order %s: currency '%s' is unknown", o->id,
			      cur ? cur : "");
	o->currency = xstrdup(cur);
	o->name = shopify_dup(root, "name");
	if (shopify_money(root, "total_price", exp, &o->total, err) < 0 ||
	    shopify_money(root, "subtotal_price", exp, &o->subtotal, err) < 0 ||
	    shopify_money(root, "total_tax", exp, &o->tax, err) < 0 ||
	    shopify_money(root, "total_discounts", exp, &o->discounts, err) <
		    0 ||
	    json_bool(root, "test", false, &test, err) < 0 ||
	    shopify_shipping(root, exp, o, err) < 0 ||
	    shopify_presentment(root, o, err) < 0 ||
	    shopify_lists(root, exp, o, c, err) < 0 ||
	    shopify_current_money(root, "current_subtotal_price", exp,
				  &c->subtotal, err) < 0 ||
	    shopify_current_money(root, "current_total_price", exp, &c->total,
				  err) < 0 ||
	    shopify_current_money(root, "current_total_tax", exp, &c->tax,
				  err) < 0)
		return error_prefix(err, "order %s", o->id);
	o->test = test;
	if (shopify_financial(shopify_str(root, "financial_status"),
			      &o->financial) < 0)
		return errorf(err, "order %s: unknown financial_status '%s'",
			      o->id, shopify_str(root, "financial_status"));
	o->cancelled = json_get(root, "cancelled_at") != NULL;
	if (shopify_str(root, "created_at"))
		parse_iso8601(shopify_str(root, "created_at"), &o->created_at);
	if (shopify_str(root, "updated_at"))
		parse_iso8601(shopify_str(root, "updated_at"), &o->updated_at);
	shopify_people(root, o);
	if (shopify_settle_edits(o, c, err) < 0)
		return error_prefix(err, "order %s", o->id);
	return 0;
}

static int shopify_order_from(const cJSON *root, struct order *o,
			      struct buf *err)
{
	struct shopify_current c;
	int rc;

	shopify_current_init(&c);
	rc = shopify_order_read(root, o, &c, err);
	shopify_current_release(&c);
	return rc;
}

int shopify_parse_order(const char *json, size_t len, struct order *out,
			struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	int rc;

	order_init(out);
	if (!root)
		return -1;
	rc = shopify_order_from(root, out, err);
	cJSON_Delete(root);
	if (rc < 0)
		order_release(out);
	return rc;
}

int shopify_parse_refund(const char *json, size_t len, char *order_id, size_t n,
			 struct order_refund *out, struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	const char *oid, *cur = NULL;
	const cJSON *t;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->base = -1;
	if (!root)
		return -1;
	oid = shopify_str(root, "order_id");
	/*
	 * The shop's currency: from the lines' or adjustments' shop money
	 * first, since the transactions are in the buyer's currency.
	 */
	cJSON_ArrayForEach(t, json_get(root, "refund_line_items"))
	{
		if (!cur)
			cur = shopify_str(json_get(json_get(t, "subtotal_set"),
						   "shop_money"),
					  "currency_code");
	}
	cJSON_ArrayForEach(t, json_get(root, "order_adjustments"))
	{
		if (!cur)
			cur = shopify_str(json_get(json_get(t, "amount_set"),
						   "shop_money"),
					  "currency_code");
	}
	cJSON_ArrayForEach(t, json_get(root, "transactions"))
	{
		if (!cur)
			cur = shopify_str(t, "currency");
	}
	if (!oid || !oid[0] || strlen(oid) >= n)
		errorf(err, "the refund names no order_id");
	else if (money_exponent(cur) < 0)
		errorf(err, "the refund's currency '%s' is unknown",
		       cur ? cur : "");
	else if (shopify_refund(root, cur, NULL, NULL, out, err) == 0) {
		snprintf(order_id, n, "%s", oid);
		rc = 0;
	}
	if (rc < 0) {
		free(out->id);
		out->id = NULL;
	}
	cJSON_Delete(root);
	return rc;
}

int shopify_parse_privacy(const char *json, size_t len, char *customer_id,
			  size_t idn, char *email, size_t emailn,
			  struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	const cJSON *c;

	if (!root)
		return -1;
	c = json_get(root, "customer");
	snprintf(customer_id, idn, "%s",
		 shopify_str(c, "id") ? shopify_str(c, "id") : "");
	snprintf(email, emailn, "%s",
		 shopify_str(c, "email") ? shopify_str(c, "email") : "");
	cJSON_Delete(root);
	return 0;
}
