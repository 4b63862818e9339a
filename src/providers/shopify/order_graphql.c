/*
 * Shopify: GraphQL Admin API objects (API 2026-10 Order and Refund, as
 * selected by shopify_order_fetch.c) into the neutral order. Pure: no
 * I/O. The neutral ids are the numeric legacy ids the REST webhooks use,
 * so that an order seen by a webhook and by reconciliation is one order.
 * Every field the parse needs is checked for presence and type, and a
 * failure names it.
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

const char *shopify_gid_number(const char *gid, const char *kind)
{
	static const char prefix[] = "gid://shopify/";
	size_t k = strlen(kind), i;
	const char *n;

	if (!gid || strncmp(gid, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	gid += sizeof(prefix) - 1;
	if (strncmp(gid, kind, k) != 0 || gid[k] != '/')
		return NULL;
	n = gid + k + 1;
	/* 20 digits hold any unsigned 64-bit id. */
	for (i = 0; n[i]; i++)
		if (!isdigit((unsigned char)n[i]) || i >= 20)
			return NULL;
	return i ? n : NULL;
}

/* A member that must be an object, or absent/null (NULL). */
static const cJSON *gql_obj(const cJSON *obj, const char *key, bool *bad,
			    struct buf *err)
{
	const cJSON *v = json_get(obj, key);

	if (v && !cJSON_IsObject(v)) {
		*bad = true;
		errorf(err, "field '%s' should be an object", key);
		return NULL;
	}
	return v;
}

/* A string member copied, NULL when absent, null or "". */
static int gql_dup(const cJSON *obj, const char *key, char **out,
		   struct buf *err)
{
	bool bad = false;
	const char *v = json_text(obj, key, &bad, err);

	*out = NULL;
	if (bad)
		return -1;
	if (v && v[0])
		*out = xstrdup(v);
	return 0;
}

/*
 * The numeric id of obj: legacyResourceId when selected, else the
 * number after the last '/' of the gid in id.
 */
static int gql_id(const cJSON *obj, const char *kind, char **out,
		  struct buf *err)
{
	bool bad = false;
	const char *legacy = json_text(obj, "legacyResourceId", &bad, err);
	const char *gid = bad ? NULL : json_text(obj, "id", &bad, err);
	const char *n;
	size_t i;

	*out = NULL;
	if (bad)
		return -1;
	if (legacy) {
		for (i = 0; legacy[i]; i++)
			if (!isdigit((unsigned char)legacy[i]) || i >= 20)
				break;
		if (i == 0 || legacy[i])
			return errorf(err,
				      "field 'legacyResourceId': '%.40s' is "
				      "not a Shopify id",
				      legacy);
		*out = xstrdup(legacy);
		return 0;
	}
	if (!gid)
		return errorf(err, "field 'id' is missing");
	if (!(n = shopify_gid_number(gid, kind)))
		return errorf(err, "field 'id': '%.60s' is not a Shopify %s id",
			      gid, kind);
	*out = xstrdup(n);
	return 0;
}

/*
 * obj.key.shopMoney.amount in minor units; absent or null gives 0, or
 * an error when required.
 */
static int gql_money(const cJSON *obj, const char *key, int exp, bool required,
		     int64_t *out, struct buf *err)
{
	bool bad = false;
	const cJSON *set = gql_obj(obj, key, &bad, err);
	const cJSON *shop = bad ? NULL : gql_obj(set, "shopMoney", &bad, err);
	const char *amount = bad ? NULL : json_text(shop, "amount", &bad, err);

	*out = 0;
	if (bad)
		return error_prefix(err, "field '%s'", key);
	if (!amount && (required || set))
		return errorf(err, "field '%s.shopMoney.amount' is missing",
			      key);
	if (amount && money_parse(amount, exp, out, err) < 0)
		return error_prefix(err, "field '%s'", key);
	return 0;
}

/* A current money field, -1 when the answer does not carry it. */
static int gql_current(const cJSON *obj, const char *key, int exp, int64_t *out,
		       struct buf *err)
{
	if (!json_get(obj, key)) {
		*out = -1;
		return 0;
	}
	return gql_money(obj, key, exp, true, out, err);
}

/* A connection's nodes array; NULL when absent (or an error). */
static const cJSON *gql_nodes(const cJSON *obj, const char *key, bool *bad,
			      struct buf *err)
{
	const cJSON *conn = gql_obj(obj, key, bad, err);
	const cJSON *nodes;

	if (*bad)
		return NULL;
	nodes = json_array(conn, "nodes", bad, err);
	if (*bad)
		error_prefix(err, "field '%s'", key);
	return nodes;
}

/* A whole number member that must be there. */
static int gql_count(const cJSON *obj, const char *key, int64_t *out,
		     struct buf *err)
{
	if (!json_get(obj, key))
		return errorf(err, "field '%s' is missing", key);
	if (json_int(obj, key, 0, out, err) < 0)
		return -1;
	if (*out < 0)
		return errorf(err, "field '%s' is negative", key);
	return 0;
}

static int gql_allocations(const cJSON *j, int exp, int64_t *out,
			   struct buf *err)
{
	bool bad = false;
	const cJSON *allocs = json_array(j, "discountAllocations", &bad, err);
	const cJSON *a;
	int64_t v;

	*out = 0;
	if (bad)
		return -1;
	cJSON_ArrayForEach(a, allocs)
	{
		if (!cJSON_IsObject(a))
			return errorf(err, "each discount allocation should "
					   "be an object");
		if (gql_money(a, "allocatedAmountSet", exp, true, &v, err) <
			    0 ||
		    money_add(*out, v, out) < 0)
			return error_prefix(err, "discountAllocations");
	}
	return 0;
}

static int gql_line(const cJSON *j, int exp, struct order_line *l,
		    int64_t *current, struct buf *err)
{
	bool bad = false, gift = false;
	const cJSON *product;

	*current = -1;
	if (!cJSON_IsObject(j))
		return errorf(err, "each line item should be an object");
	product = gql_obj(j, "product", &bad, err);
	if (bad || gql_id(j, "LineItem", &l->id, err) < 0 ||
	    (product && gql_id(product, "Product", &l->product_id, err) < 0) ||
	    gql_dup(j, "sku", &l->sku, err) < 0 ||
	    gql_dup(j, "title", &l->title, err) < 0 ||
	    gql_count(j, "quantity", &l->quantity, err) < 0 ||
	    json_int(j, "currentQuantity", -1, current, err) < 0 ||
	    json_bool(j, "isGiftCard", false, &gift, err) < 0 ||
	    gql_money(j, "originalUnitPriceSet", exp, true, &l->price, err) <
		    0 ||
	    gql_allocations(j, exp, &l->discount, err) < 0)
		return error_prefix(err, "line item");
	l->gift_card = gift;
	if (*current < -1 || l->price < 0 || l->discount < 0)
		return errorf(err, "line item with negative amounts");
	return 0;
}

/* Never credit part of an order: a second page of lines is refused. */
static int gql_lines(const cJSON *n, int exp, struct order *o,
		     struct shopify_current *c, struct buf *err)
{
	bool bad = false, more = false;
	const cJSON *conn = gql_obj(n, "lineItems", &bad, err);
	const cJSON *nodes = bad ? NULL : gql_nodes(n, "lineItems", &bad, err);
	const cJSON *it;

	if (bad)
		return -1;
	if (!nodes)
		return errorf(err, "field 'lineItems.nodes' is missing");
	if (json_bool(json_get(conn, "pageInfo"), "hasNextPage", false, &more,
		      err) < 0)
		return error_prefix(err, "lineItems.pageInfo");
	if (more)
		return errorf(err, "the order has more line items than one "
				   "page holds: not credited in part");
	cJSON_ArrayForEach(it, nodes)
	{
		int64_t current;
		int rc = gql_line(it, exp, order_add_line(o), &current, err);

		shopify_current_line(c, o->nlines - 1, current);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* What a refund returned through its successful refund transactions. */
static int gql_refund_paid(const cJSON *j, int exp, int64_t *paid, bool *any,
			   struct buf *err)
{
	bool bad = false;
	const cJSON *nodes = gql_nodes(j, "transactions", &bad, err);
	const cJSON *t;
	int64_t v;

	*paid = 0;
	*any = false;
	if (bad)
		return -1;
	cJSON_ArrayForEach(t, nodes)
	{
		const char *kind = shopify_str(t, "kind");
		const char *status = shopify_str(t, "status");

		if (!kind || strcmp(kind, "REFUND") != 0 || !status ||
		    strcmp(status, "SUCCESS") != 0)
			continue;
		if (gql_money(t, "amountSet", exp, true, &v, err) < 0 ||
		    money_add(*paid, v, paid) < 0)
			return error_prefix(err, "refund transaction");
		*any = true;
	}
	return 0;
}

/* Shipping refunded (subtotal and tax) and whether there was any. */
static int gql_refund_shipping(const cJSON *j, int exp, int64_t *shipping,
			       bool *any, struct buf *err)
{
	bool bad = false;
	const cJSON *nodes = gql_nodes(j, "refundShippingLines", &bad, err);
	const cJSON *s;
	int64_t sub, tax;

	*shipping = 0;
	*any = cJSON_GetArraySize(nodes) > 0;
	if (bad)
		return -1;
	cJSON_ArrayForEach(s, nodes)
	{
		if (gql_money(s, "subtotalAmountSet", exp, true, &sub, err) <
			    0 ||
		    gql_money(s, "taxAmountSet", exp, false, &tax, err) < 0)
			return error_prefix(err, "refund shipping line");
		if (money_add(*shipping, sub, shipping) < 0 ||
		    money_add(*shipping, tax, shipping) < 0)
			return errorf(err, "refund shipping overflows");
	}
	return 0;
}

/* One refunded line: its subtotal counts in the base unless a gift card. */
static int gql_refund_line(const cJSON *li, int exp, const struct order *o,
			   struct shopify_current *c, int64_t *base,
			   struct buf *err)
{
	bool bad = false, gift = false;
	const cJSON *item = gql_obj(li, "lineItem", &bad, err);
	const struct order_line *l;
	int64_t qty, sub, tax;
	char *id = NULL;
	int rc = -1;

	if (bad || !item) {
		if (!bad)
			errorf(err, "field 'lineItem' is missing");
		return -1;
	}
	if (gql_id(item, "LineItem", &id, err) < 0 ||
	    gql_count(li, "quantity", &qty, err) < 0 ||
	    gql_money(li, "subtotalSet", exp, true, &sub, err) < 0 ||
	    gql_money(li, "totalTaxSet", exp, false, &tax, err) < 0 ||
	    json_bool(item, "isGiftCard", false, &gift, err) < 0)
		goto out;
	l = o ? shopify_line_by_id(o, id) : NULL;
	if (l)
		gift = l->gift_card;
	if (c && shopify_current_refund(c, o, id, qty, sub, tax, err) < 0)
		goto out;
	if (!gift && money_add(*base, sub, base) < 0) {
		errorf(err, "refund overflows");
		goto out;
	}
	rc = 0;
out:
	free(id);
	return rc;
}

/*
 * A Refund. base: the refunded lines' subtotals; 0 when all it returned
 * is shipping (refundShippingLines, the only place Shopify says so since
 * 2024-10), which is never in the base; -1 when it cannot tell.
 */
static int gql_refund(const cJSON *j, const char *currency,
		      const struct order *o, struct shopify_current *c,
		      struct order_refund *r, struct buf *err)
{
	int exp = money_exponent(currency);
	bool bad = false, paid_any, ship_any;
	const cJSON *lines, *li;
	int64_t paid, total, shipping, base = 0;
	const char *created;

	if (!cJSON_IsObject(j))
		return errorf(err, "each refund should be an object");
	if (gql_id(j, "Refund", &r->id, err) < 0)
		return error_prefix(err, "refund");
	created = json_text(j, "createdAt", &bad, err);
	lines = bad ? NULL : gql_nodes(j, "refundLineItems", &bad, err);
	if (bad)
		return error_prefix(err, "refund %s", r->id);
	if (created && parse_iso8601(created, &r->created_at) < 0)
		return errorf(err, "refund %s: field 'createdAt' is no time",
			      r->id);
	cJSON_ArrayForEach(li, lines)
	{
		if (gql_refund_line(li, exp, o, c, &base, err) < 0)
			return error_prefix(err, "refund %s: refund line",
					    r->id);
	}
	if (gql_refund_paid(j, exp, &paid, &paid_any, err) < 0 ||
	    gql_refund_shipping(j, exp, &shipping, &ship_any, err) < 0 ||
	    gql_money(j, "totalRefundedSet", exp, false, &total, err) < 0)
		return error_prefix(err, "refund %s", r->id);
	r->amount = paid_any ? paid : total;
	if (cJSON_GetArraySize(lines) > 0)
		r->base = base;
	else if (ship_any && r->amount <= shipping)
		r->base = 0;
	else
		r->base = -1; /* money only: the pipeline prorates it */
	return 0;
}

int shopify_gql_refund(const cJSON *node, const char *currency,
		       struct order_refund *r, struct buf *err)
{
	memset(r, 0, sizeof(*r));
	r->base = -1;
	if (money_exponent(currency) < 0)
		return errorf(err, "the refund's currency '%s' is unknown",
			      currency ? currency : "");
	if (gql_refund(node, currency, NULL, NULL, r, err) < 0) {
		free(r->id);
		r->id = NULL;
		return -1;
	}
	return 0;
}

static int gql_refunds(const cJSON *n, struct order *o,
		       struct shopify_current *c, struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(n, "refunds", &bad, err);
	const cJSON *it;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, list)
	{
		struct order_refund *r = order_add_refund(o);

		if (gql_refund(it, o->currency, o, c, r, err) < 0)
			return -1;
	}
	return 0;
}

static int gql_codes_attrs(const cJSON *n, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *codes = json_array(n, "discountCodes", &bad, err);
	const cJSON *attrs =
		bad ? NULL : json_array(n, "customAttributes", &bad, err);
	const cJSON *it;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, codes)
	{
		if (!cJSON_IsString(it))
			return errorf(err, "field 'discountCodes' should hold "
					   "strings");
		if (it->valuestring[0])
			order_add_code(o, it->valuestring);
	}
	cJSON_ArrayForEach(it, attrs)
	{
		const char *k = json_text(it, "key", &bad, err);
		const char *v = bad ? NULL : json_text(it, "value", &bad, err);

		if (bad || !cJSON_IsObject(it))
			return bad ? error_prefix(err, "customAttributes")
				   : errorf(err, "field 'customAttributes' "
						 "should hold objects");
		if (k && v)
			order_add_attr(o, k, v);
	}
	return 0;
}

/*
 * landingPage is a full URL where REST's landing_site is the path on the
 * shop: the path and query are kept, so both sources give one order and
 * attribution reads the same ref either way.
 */
static char *gql_landing_path(const char *url)
{
	const char *p = url;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else
		return xstrdup(url);
	p += strcspn(p, "/?#");
	if (*p == '/')
		return xstrdup(p);
	{
		size_t n = strlen(p) + 2;
		char *s = xmalloc(n);

		snprintf(s, n, "/%s", p);
		return s;
	}
}

static int gql_journey(const cJSON *n, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *j = gql_obj(n, "customerJourneySummary", &bad, err);
	const cJSON *visit = bad ? NULL : gql_obj(j, "firstVisit", &bad, err);
	char *landing = NULL;

	if (bad || gql_dup(visit, "landingPage", &landing, err) < 0 ||
	    gql_dup(visit, "referrerUrl", &o->referring_site, err) < 0)
		return error_prefix(err, "customerJourneySummary");
	if (landing) {
		o->landing_url = gql_landing_path(landing);
		free(landing);
	}
	return 0;
}

static int gql_people(const cJSON *n, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *customer = gql_obj(n, "customer", &bad, err);
	const cJSON *billing =
		bad ? NULL : gql_obj(n, "billingAddress", &bad, err);
	const cJSON *shipping =
		bad ? NULL : gql_obj(n, "shippingAddress", &bad, err);

	if (bad)
		return -1;
	if ((customer &&
	     gql_id(customer, "Customer", &o->customer_id, err) < 0) ||
	    gql_dup(n, "email", &o->email, err) < 0 ||
	    (!o->email && gql_dup(customer, "email", &o->email, err) < 0) ||
	    gql_dup(billing ? billing : shipping, "countryCodeV2", &o->country,
		    err) < 0 ||
	    gql_dup(n, "clientIp", &o->browser_ip, err) < 0)
		return error_prefix(err, "customer");
	return gql_journey(n, o, err);
}

/* The presentment currency and total, when the answer names them. */
static int gql_presentment(const cJSON *n, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *cur = json_text(n, "presentmentCurrencyCode", &bad, err);
	const cJSON *set = json_get(n, "totalPriceSet");
	const char *amount =
		shopify_str(json_get(set, "presentmentMoney"), "amount");
	int exp = money_exponent(cur);

	if (bad)
		return -1;
	if (!cur)
		return 0;
	if (exp < 0)
		return errorf(err, "presentment currency '%s' is unknown", cur);
	o->presentment_currency = xstrdup(cur);
	o->presentment_total = o->total;
	if (amount && money_parse(amount, exp, &o->presentment_total, err) < 0)
		return error_prefix(err,
				    "field 'totalPriceSet.presentmentMoney'");
	return 0;
}

static int gql_status(const cJSON *n, struct order *o, struct buf *err)
{
	bool bad = false, test = false;
	const char *fin = json_text(n, "displayFinancialStatus", &bad, err);
	const char *cancelled =
		bad ? NULL : json_text(n, "cancelledAt", &bad, err);
	const char *created = bad ? NULL : json_text(n, "createdAt", &bad, err);
	const char *updated = bad ? NULL : json_text(n, "updatedAt", &bad, err);
	char lower[32];
	size_t i;

	if (bad || json_bool(n, "test", false, &test, err) < 0)
		return -1;
	o->test = test;
	for (i = 0; fin && fin[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)fin[i]);
	lower[fin ? i : 0] = '\0';
	if (shopify_financial(fin ? lower : NULL, &o->financial) < 0 ||
	    (fin && fin[i]))
		return errorf(err,
			      "unknown field 'displayFinancialStatus' '%.40s'",
			      fin);
	o->cancelled = cancelled != NULL;
	if (created && parse_iso8601(created, &o->created_at) < 0)
		return errorf(err, "field 'createdAt' is no time");
	if (updated && parse_iso8601(updated, &o->updated_at) < 0)
		return errorf(err, "field 'updatedAt' is no time");
	return 0;
}

static int gql_totals(const cJSON *n, int exp, struct order *o,
		      struct shopify_current *c, struct buf *err)
{
	if (gql_money(n, "totalPriceSet", exp, true, &o->total, err) < 0 ||
	    gql_money(n, "subtotalPriceSet", exp, false, &o->subtotal, err) <
		    0 ||
	    gql_money(n, "totalTaxSet", exp, false, &o->tax, err) < 0 ||
	    gql_money(n, "totalShippingPriceSet", exp, false, &o->shipping,
		      err) < 0 ||
	    gql_money(n, "totalDiscountsSet", exp, false, &o->discounts, err) <
		    0 ||
	    gql_current(n, "currentSubtotalPriceSet", exp, &c->subtotal, err) <
		    0 ||
	    gql_current(n, "currentTotalPriceSet", exp, &c->total, err) < 0 ||
	    gql_current(n, "currentTotalTaxSet", exp, &c->tax, err) < 0)
		return -1;
	return 0;
}

static int gql_order_read(const cJSON *n, struct order *o,
			  struct shopify_current *c, struct buf *err)
{
	bool bad = false;
	const char *cur;
	int exp;

	if (!cJSON_IsObject(n))
		return errorf(err, "the order should be a JSON object");
	if (gql_id(n, "Order", &o->id, err) < 0)
		return error_prefix(err, "the order");
	cur = json_text(n, "currencyCode", &bad, err);
	if (bad)
		return error_prefix(err, "order %s", o->id);
	if ((exp = money_exponent(cur)) < 0)
		return errorf(err,
			      "order %s: field 'currencyCode' '%s' is "
			      "unknown",
			      o->id, cur ? cur : "");
	o->currency = xstrdup(cur);
	if (gql_dup(n, "name", &o->name, err) < 0 ||
	    gql_totals(n, exp, o, c, err) < 0 ||
	    gql_presentment(n, o, err) < 0 || gql_status(n, o, err) < 0 ||
	    gql_people(n, o, err) < 0 || gql_codes_attrs(n, o, err) < 0 ||
	    gql_lines(n, exp, o, c, err) < 0 || gql_refunds(n, o, c, err) < 0 ||
	    shopify_settle_edits(o, c, err) < 0)
		return error_prefix(err, "order %s", o->id);
	return 0;
}

int shopify_gql_order(const cJSON *node, struct order *o, struct buf *err)
{
	struct shopify_current c;
	int rc;

	order_init(o);
	shopify_current_init(&c);
	rc = gql_order_read(node, o, &c, err);
	shopify_current_release(&c);
	if (rc < 0)
		order_release(o);
	return rc;
}

/* data.<field> of a whole answer, or an error naming what came instead. */
static const cJSON *gql_answer(const cJSON *root, const char *field,
			       struct buf *err)
{
	const cJSON *e = cJSON_GetArrayItem(json_get(root, "errors"), 0);
	const cJSON *data = json_get(root, "data");
	const cJSON *node = cJSON_IsObject(data) ? json_get(data, field) : NULL;
	const char *msg = shopify_str(e, "message");

	if (!cJSON_IsObject(root)) {
		errorf(err, "the answer should be a JSON object");
		return NULL;
	}
	if (e && !node) {
		errorf(err, "Shopify: %.200s", msg ? msg : "error");
		return NULL;
	}
	if (!node)
		errorf(err, "the answer holds no %s", field);
	return node;
}

int shopify_parse_graphql_order(const char *json, size_t len, struct order *out,
				struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	const cJSON *node = root ? gql_answer(root, "order", err) : NULL;
	int rc = -1;

	order_init(out);
	if (node)
		rc = shopify_gql_order(node, out, err);
	cJSON_Delete(root);
	return rc;
}

int shopify_parse_graphql_refund(const char *json, size_t len,
				 const char *currency, struct order_refund *out,
				 struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	const cJSON *node = root ? gql_answer(root, "refund", err) : NULL;
	const char *named = shopify_str(
		json_get(json_get(node, "totalRefundedSet"), "shopMoney"),
		"currencyCode");
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->base = -1;
	if (node)
		rc = shopify_gql_refund(node, named ? named : currency, out,
					err);
	cJSON_Delete(root);
	return rc;
}
