/* Reading the neutral order's JSON (simulate files, stored snapshots). */
#include "model/order.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <string.h>

static int take_text(const cJSON *j, const char *key, char **out,
		     struct buf *err)
{
	bool bad = false;
	const char *t = json_text(j, key, &bad, err);

	if (bad)
		return -1;
	*out = t ? xstrdup(t) : NULL;
	return 0;
}

static int take_time(const cJSON *j, const char *key, int64_t *out,
		     struct buf *err)
{
	bool bad = false;
	const char *t = json_text(j, key, &bad, err);

	*out = 0;
	if (bad)
		return -1;
	if (t && parse_iso8601(t, out) < 0)
		return errorf(err, "field '%s': '%s' is not an ISO 8601 time",
			      key, t);
	return 0;
}

static int read_line(const cJSON *j, struct order_line *l, struct buf *err)
{
	bool gift = false;

	if (!cJSON_IsObject(j))
		return errorf(err, "each line should be an object");
	if (take_text(j, "id", &l->id, err) < 0 ||
	    take_text(j, "product_id", &l->product_id, err) < 0 ||
	    take_text(j, "sku", &l->sku, err) < 0 ||
	    take_text(j, "title", &l->title, err) < 0 ||
	    json_int(j, "quantity", 1, &l->quantity, err) < 0 ||
	    json_int(j, "price", 0, &l->price, err) < 0 ||
	    json_int(j, "discount", 0, &l->discount, err) < 0 ||
	    json_bool(j, "gift_card", false, &gift, err) < 0)
		return -1;
	l->gift_card = gift;
	if (l->quantity < 0 || l->price < 0 || l->discount < 0)
		return errorf(err, "line amounts must not be negative");
	return 0;
}

static int read_refund(const cJSON *j, struct order_refund *r, struct buf *err)
{
	if (!cJSON_IsObject(j))
		return errorf(err, "each refund should be an object");
	if (take_text(j, "id", &r->id, err) < 0 ||
	    json_int(j, "amount", 0, &r->amount, err) < 0 ||
	    json_int(j, "base", -1, &r->base, err) < 0 ||
	    take_time(j, "created_at", &r->created_at, err) < 0)
		return -1;
	if (!r->id)
		return errorf(err, "a refund has no 'id'");
	if (r->amount < 0)
		return errorf(err, "refund '%s' has a negative amount", r->id);
	return 0;
}

static int read_arrays(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *lines = json_array(j, "lines", &bad, err);
	const cJSON *codes = json_array(j, "codes", &bad, err);
	const cJSON *refunds = json_array(j, "refunds", &bad, err);
	const cJSON *attrs = json_get(j, "attributes"), *it;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, lines)
	{
		if (read_line(it, order_add_line(o), err) < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, codes)
	{
		if (!cJSON_IsString(it))
			return errorf(err, "each code should be a string");
		order_add_code(o, it->valuestring);
	}
	cJSON_ArrayForEach(it, refunds)
	{
		if (read_refund(it, order_add_refund(o), err) < 0)
			return -1;
	}
	if (attrs && !cJSON_IsObject(attrs))
		return errorf(err, "field 'attributes' should be an object");
	cJSON_ArrayForEach(it, attrs)
	{
		if (!cJSON_IsString(it))
			return errorf(err, "attribute '%s' should be a string",
				      it->string);
		order_add_attr(o, it->string, it->valuestring);
	}
	return 0;
}

static int read_scalars(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false, cancelled = false, test = false;
	const char *fin = json_text(j, "financial_status", &bad, err);

	if (bad || take_text(j, "id", &o->id, err) < 0 ||
	    take_text(j, "name", &o->name, err) < 0 ||
	    take_text(j, "customer_id", &o->customer_id, err) < 0 ||
	    take_text(j, "email", &o->email, err) < 0 ||
	    take_text(j, "country", &o->country, err) < 0 ||
	    take_text(j, "browser_ip", &o->browser_ip, err) < 0 ||
	    take_text(j, "currency", &o->currency, err) < 0 ||
	    take_text(j, "presentment_currency", &o->presentment_currency,
		      err) < 0 ||
	    take_text(j, "landing_url", &o->landing_url, err) < 0 ||
	    take_text(j, "referring_site", &o->referring_site, err) < 0 ||
	    json_int(j, "total", 0, &o->total, err) < 0 ||
	    json_int(j, "subtotal", 0, &o->subtotal, err) < 0 ||
	    json_int(j, "tax", 0, &o->tax, err) < 0 ||
	    json_int(j, "shipping", 0, &o->shipping, err) < 0 ||
	    json_int(j, "discounts", 0, &o->discounts, err) < 0 ||
	    json_int(j, "presentment_total", 0, &o->presentment_total, err) <
		    0 ||
	    json_bool(j, "cancelled", false, &cancelled, err) < 0 ||
	    json_bool(j, "test", false, &test, err) < 0 ||
	    take_time(j, "created_at", &o->created_at, err) < 0 ||
	    take_time(j, "updated_at", &o->updated_at, err) < 0)
		return -1;
	o->cancelled = cancelled;
	o->test = test;
	if (fin && order_financial_parse(fin, &o->financial) < 0)
		return errorf(err,
			      "field 'financial_status': '%s' is not pending, "
			      "paid, partially_refunded, refunded or voided",
			      fin);
	return 0;
}

int order_from_json(const char *json, size_t len, struct order *o,
		    struct buf *err)
{
	cJSON *j = json_parse(json, len, err);
	int rc = -1;

	order_init(o);
	if (!j)
		return -1;
	if (!cJSON_IsObject(j)) {
		errorf(err, "an order should be a JSON object");
		goto out;
	}
	if (read_scalars(j, o, err) < 0 || read_arrays(j, o, err) < 0)
		goto out;
	if (!o->id || !o->id[0]) {
		errorf(err, "the order has no 'id'");
		goto out;
	}
	if (!money_currency_valid(o->currency)) {
		errorf(err, "order '%s': currency '%s' is not an ISO 4217 code",
		       o->id, o->currency ? o->currency : "");
		goto out;
	}
	if (o->total < 0 || o->subtotal < 0) {
		errorf(err, "order '%s': negative totals", o->id);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		order_release(o);
	cJSON_Delete(j);
	return rc;
}
