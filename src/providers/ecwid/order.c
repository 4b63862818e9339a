/*
 * Ecwid: order JSON into the neutral order, and one order read through
 * the REST API. Paging through many is providers/ecwid/list.c.
 */
#include "providers/ecwid/internal.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

static char *ecwid_prefixed(const char *prefix, const char *s)
{
	size_t n = strlen(prefix) + strlen(s) + 1;
	char *out = xmalloc(n);

	snprintf(out, n, "%s%s", prefix, s);
	return out;
}

/*
 * id is the string id ("XJ12H") that GET orders/{id} takes; orders from
 * before Ecwid's 2020 switch have only orderNumber.
 */
static int ecwid_ids(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *id = ecwid_text(j, "id", &bad, err);
	const char *number = ecwid_text(j, "orderNumber", &bad, err);
	const char *vendor = ecwid_text(j, "vendorOrderNumber", &bad, err);
	const char *customer = ecwid_text(j, "customerId", &bad, err);
	const char *email = ecwid_text(j, "email", &bad, err);
	const char *ip = ecwid_text(j, "ipAddress", &bad, err);

	if (bad)
		return -1;
	if (!id)
		id = number;
	if (!id)
		return errorf(err, "order has neither 'id' nor 'orderNumber'");
	o->id = xstrdup(id);
	o->name = ecwid_prefixed("#", vendor ? vendor : id);
	if (customer && strcmp(customer, "0") != 0)
		o->customer_id = xstrdup(customer);
	if (email)
		o->email = xstrdup(email);
	if (ip)
		o->browser_ip = xstrdup(ip);
	return 0;
}

static int ecwid_country(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *bill = ecwid_object(j, "billingPerson", &bad, err);
	const cJSON *ship = ecwid_object(j, "shippingPerson", &bad, err);
	const char *cc = ecwid_text(bill, "countryCode", &bad, err);
	char *p;

	if (!cc && !bad)
		cc = ecwid_text(ship, "countryCode", &bad, err);
	if (bad)
		return -1;
	if (cc) {
		o->country = xstrdup(cc);
		for (p = o->country; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
	}
	return 0;
}

/*
 * Ecwid's subtotal is before discounts; ours is after. couponDiscount is
 * the coupon, discount the sum of every other promotion (volumeDiscount,
 * membershipBasedDiscount, ... are parts of it, so adding them would
 * count them twice).
 */
static int ecwid_amounts(const cJSON *j, int exp, struct order *o,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *ship = ecwid_object(j, "shippingOption", &bad, err);
	int64_t subtotal, coupon, other;

	if (bad || json_money(j, "total", exp, &o->total, err) < 0 ||
	    json_money(j, "subtotal", exp, &subtotal, err) < 0 ||
	    json_money(j, "tax", exp, &o->tax, err) < 0 ||
	    json_money(j, "couponDiscount", exp, &coupon, err) < 0 ||
	    json_money(j, "discount", exp, &other, err) < 0 ||
	    json_money(ship, "shippingRate", exp, &o->shipping, err) < 0)
		return -1;
	if (money_add(coupon, other, &o->discounts) < 0 ||
	    money_sub(subtotal, o->discounts, &o->subtotal) < 0)
		return errorf(err, "order amounts overflow");
	return 0;
}

/* A line's discount: its coupon share plus its promotions. */
static int ecwid_line_discount(const cJSON *it, int exp, int64_t *out,
			       struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(it, "discounts", &bad, err), *d;
	int64_t v;
	size_t i = 0;

	if (bad || json_money(it, "couponAmount", exp, out, err) < 0)
		return -1;
	cJSON_ArrayForEach(d, list)
	{
		if (json_money(d, "total", exp, &v, err) < 0)
			return error_prefix(err, "discounts[%zu]", i);
		if (money_add(*out, v, out) < 0)
			return errorf(err, "line discounts overflow");
		i++;
	}
	return 0;
}

static int ecwid_line(const cJSON *it, int exp, struct order *o,
		      struct buf *err)
{
	struct order_line *l = order_add_line(o);
	bool bad = false;
	const char *id = ecwid_text(it, "id", &bad, err);
	const char *product = ecwid_text(it, "productId", &bad, err);
	const char *sku = ecwid_text(it, "sku", &bad, err);
	const char *name = ecwid_text(it, "name", &bad, err);

	if (bad || !cJSON_IsObject(it))
		return bad ? -1 : errorf(err, "not an object");
	l->id = id ? xstrdup(id) : NULL;
	l->product_id = product ? xstrdup(product) : NULL;
	l->sku = sku ? xstrdup(sku) : NULL;
	l->title = name ? xstrdup(name) : NULL;
	if (json_money(it, "price", exp, &l->price, err) < 0 ||
	    json_int(it, "quantity", 1, &l->quantity, err) < 0 ||
	    json_bool(it, "isGiftCard", false, &l->gift_card, err) < 0 ||
	    ecwid_line_discount(it, exp, &l->discount, err) < 0)
		return -1;
	if (l->quantity < 0)
		return errorf(err, "field 'quantity' is negative");
	return 0;
}

static int ecwid_lines(const cJSON *j, int exp, struct order *o,
		       struct buf *err)
{
	bool bad = false;
	const cJSON *items = json_array(j, "items", &bad, err), *it;
	size_t i = 0;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, items)
	{
		if (ecwid_line(it, exp, o, err) < 0)
			return error_prefix(err, "items[%zu]", i);
		i++;
	}
	return 0;
}

/*
 * Ecwid refunds have no id: name one from the date and the amount, and
 * number repeats of the same pair, so that the name does not depend on
 * where Ecwid lists the refund.
 */
static void ecwid_refund_id(struct order *o, struct order_refund *r)
{
	char id[96];
	size_t k, same = 0;

	for (k = 0; k < o->nrefunds && &o->refunds[k] != r; k++)
		if (o->refunds[k].created_at == r->created_at &&
		    o->refunds[k].amount == r->amount)
			same++;
	if (same)
		snprintf(id, sizeof(id), "ecwid-refund-%lld-%lld-%zu",
			 (long long)r->created_at, (long long)r->amount,
			 same + 1);
	else
		snprintf(id, sizeof(id), "ecwid-refund-%lld-%lld",
			 (long long)r->created_at, (long long)r->amount);
	r->id = xstrdup(id);
}

static int ecwid_refund(const cJSON *rf, int exp, struct order *o,
			struct buf *err)
{
	bool bad = false;
	const char *date = ecwid_text(rf, "date", &bad, err);
	int64_t amount, when = 0;
	struct order_refund *r;

	if (bad || json_money(rf, "amount", exp, &amount, err) < 0)
		return -1;
	if (date && ecwid_parse_date(date, &when) < 0)
		return errorf(err, "field 'date': '%.40s' is not a date", date);
	r = order_add_refund(o);
	r->amount = amount;
	r->created_at = when;
	ecwid_refund_id(o, r);
	return 0;
}

/* refunds[]{date, source, reason, amount}: refundedAmount is WePay-only. */
static int ecwid_refunds(const cJSON *j, int exp, struct order *o,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(j, "refunds", &bad, err), *rf;
	size_t i = 0;

	if (bad)
		return -1;
	cJSON_ArrayForEach(rf, list)
	{
		if (ecwid_refund(rf, exp, o, err) < 0)
			return error_prefix(err, "refunds[%zu]", i);
		i++;
	}
	return 0;
}

/*
 * paymentStatus. CANCELLED covers both a declined payment and an order
 * the merchant cancelled, paid or not; when refunds were recorded the
 * order was paid, so it reads as refunded (and cancelled), else voided.
 * INCOMPLETE is an abandoned checkout; the merchant's CUSTOM_PAYMENT_
 * STATUS_n and anything new count as pending, which credits nothing.
 */
static int ecwid_financial(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *s = ecwid_text(j, "paymentStatus", &bad, err);
	int64_t refunded = order_refunded(o);

	if (bad)
		return -1;
	o->financial = ORDER_PENDING;
	if (!s)
		return 0;
	if (strcmp(s, "PAID") == 0)
		o->financial = ORDER_PAID;
	else if (strcmp(s, "PARTIALLY_REFUNDED") == 0)
		o->financial = ORDER_PARTIALLY_REFUNDED;
	else if (strcmp(s, "REFUNDED") == 0)
		o->financial = ORDER_REFUNDED;
	else if (strcmp(s, "CANCELLED") == 0) {
		o->cancelled = true;
		o->financial = refunded <= 0	     ? ORDER_VOIDED
			       : refunded < o->total ? ORDER_PARTIALLY_REFUNDED
						     : ORDER_REFUNDED;
	}
	return 0;
}

/* Unix seconds (createTimestamp), else the date text (createDate). */
static int ecwid_time(const cJSON *j, const char *stamp_key,
		      const char *date_key, int64_t *out, struct buf *err)
{
	bool bad = false;
	const char *stamp = ecwid_text(j, stamp_key, &bad, err);
	const char *date = ecwid_text(j, date_key, &bad, err);

	*out = 0;
	if (bad)
		return -1;
	if (stamp && parse_int_str(stamp, INT64_MAX, out) < 0)
		return errorf(err, "field '%s': '%.40s' is not a Unix time",
			      stamp_key, stamp);
	if (!stamp && date && ecwid_parse_date(date, out) < 0)
		return errorf(err, "field '%s': '%.40s' is not a date",
			      date_key, date);
	return 0;
}

/*
 * orderExtraFields[] become attributes by id (our storefront script
 * writes "ref" and "affiliated_click"); the extraFields map adds what the
 * list lacked. refererId and affiliateId are the storefront labels Ecwid
 * lets a merchant set per site (xAffiliate), not our codes, so they keep
 * their own names.
 */
static int ecwid_attributes(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(j, "orderExtraFields", &bad, err);
	const cJSON *map = ecwid_object(j, "extraFields", &bad, err), *f;
	const char *referer = ecwid_text(j, "refererId", &bad, err);
	const char *affiliate = ecwid_text(j, "affiliateId", &bad, err);

	if (bad)
		return -1;
	cJSON_ArrayForEach(f, list)
	{
		const char *name = ecwid_text(f, "id", &bad, err);
		const char *value = json_text(f, "value", &bad, err);

		if (!name && !bad)
			name = ecwid_text(f, "name", &bad, err);
		if (bad)
			return error_prefix(err, "orderExtraFields");
		if (name && value)
			order_add_attr(o, name, value);
	}
	cJSON_ArrayForEach(f, map)
	{
		if (cJSON_IsString(f) && !order_attr(o, f->string))
			order_add_attr(o, f->string, f->valuestring);
	}
	if (referer)
		order_add_attr(o, "referer_id", referer);
	if (affiliate)
		order_add_attr(o, "affiliate_id", affiliate);
	return 0;
}

/* Whether a URL's query has a non-empty ref parameter. */
static bool ecwid_has_ref(const char *url)
{
	const char *q = url ? strchr(url, '?') : NULL;

	while (q) {
		q++;
		if (strncmp(q, "ref=", 4) == 0 && q[4] && q[4] != '&' &&
		    q[4] != '#')
			return true;
		q = strchr(q, '&');
	}
	return false;
}

/*
 * globalReferer is where the buyer came from, refererUrl the store page
 * the order was placed on. The first becomes referring_site; whichever of
 * the two carries ?ref= becomes landing_url, so that the pipeline's landing
 * signal sees the ref. Without one there is no landing URL to report.
 */
static int ecwid_referer(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *from = ecwid_text(j, "globalReferer", &bad, err);
	const char *page = ecwid_text(j, "refererUrl", &bad, err);

	if (bad)
		return -1;
	if (from)
		o->referring_site = xstrdup(from);
	if (ecwid_has_ref(from))
		o->landing_url = xstrdup(from);
	else if (ecwid_has_ref(page))
		o->landing_url = xstrdup(page);
	return 0;
}

static int ecwid_codes(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *coupon = ecwid_object(j, "discountCoupon", &bad, err);
	const char *code = bad ? NULL : ecwid_text(coupon, "code", &bad, err);
	const cJSON *test = json_get(j, "test");

	if (bad)
		return coupon ? error_prefix(err, "discountCoupon") : -1;
	if (code)
		order_add_code(o, code);
	o->test = cJSON_IsTrue(test);
	return 0;
}

/* One Ecwid order object into o (initialised) in the given currency. */
int ecwid_order_from(const cJSON *j, const char *currency, struct order *o,
		     struct buf *err)
{
	int exp = money_exponent(currency);

	if (exp < 0)
		return errorf(err, "currency '%s' is not an ISO 4217 code",
			      currency);
	if (!cJSON_IsObject(j))
		return errorf(err, "an Ecwid order should be a JSON object");
	o->currency = xstrdup(currency);
	if (ecwid_ids(j, o, err) < 0 || ecwid_country(j, o, err) < 0 ||
	    ecwid_amounts(j, exp, o, err) < 0 ||
	    ecwid_lines(j, exp, o, err) < 0 ||
	    ecwid_refunds(j, exp, o, err) < 0 ||
	    ecwid_financial(j, o, err) < 0 ||
	    ecwid_time(j, "createTimestamp", "createDate", &o->created_at,
		       err) < 0 ||
	    ecwid_time(j, "updateTimestamp", "updateDate", &o->updated_at,
		       err) < 0 ||
	    ecwid_codes(j, o, err) < 0 || ecwid_attributes(j, o, err) < 0 ||
	    ecwid_referer(j, o, err) < 0)
		return -1;
	return 0;
}

int ecwid_parse_order(const char *json, size_t len, struct order *out,
		      struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	bool bad = false;
	const char *cur = ecwid_text(root, "currency", &bad, err);
	int rc = -1;

	order_init(out);
	if (!root || bad)
		error_prefix(err, "ecwid order");
	else if (!cur)
		errorf(err, "Ecwid orders carry no currency: fetch them "
			    "through the API, which knows the store's");
	else
		rc = ecwid_order_from(root, cur, out, err);
	if (rc < 0)
		order_release(out);
	cJSON_Delete(root);
	return rc;
}

/* The shop's currency, which every fetched order is in. */
const char *ecwid_shop_currency(const struct provider_env *env, struct buf *err)
{
	const char *cur = env->shop ? env->shop->currency : NULL;

	if (!money_currency_valid(cur)) {
		errorf(err,
		       "the Ecwid store's currency is unknown ('%s'): "
		       "describe the shop first",
		       cur ? cur : "");
		return NULL;
	}
	return cur;
}

enum provider_status ecwid_fetch_order(const struct provider_env *env,
				       const char *order_id, struct order *out,
				       struct buf *err)
{
	struct ecwid_call c = {"GET", NULL, NULL, NULL};
	const char *cur = ecwid_shop_currency(env, err);
	enum provider_status st = PROVIDER_REJECTED;
	struct http_result r;
	struct buf path;
	cJSON *root = NULL;

	order_init(out);
	if (!cur)
		return PROVIDER_REJECTED;
	buf_init(&path, 1024);
	http_result_init(&r);
	if (!order_id || !order_id[0] || buf_puts(&path, "orders/") < 0 ||
	    url_encode(&path, order_id) < 0) {
		errorf(err, "bad Ecwid order id");
		goto out;
	}
	c.path = path.data;
	st = ecwid_api(env, &c, &r, err);
	if (st != PROVIDER_OK)
		goto out;
	root = json_parse(r.body.data, r.body.len, err);
	if (!root || ecwid_order_from(root, cur, out, err) < 0) {
		error_prefix(err, "ecwid order %s", order_id);
		order_release(out);
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&path);
	return st;
}
