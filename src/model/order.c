#include "model/order.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const financial_names[ORDER_FINANCIAL__COUNT] = {
	"pending",	      /* ORDER_PENDING */
	"paid",		      /* ORDER_PAID */
	"partially_refunded", /* ORDER_PARTIALLY_REFUNDED */
	"refunded",	      /* ORDER_REFUNDED */
	"voided",	      /* ORDER_VOIDED */
};

void order_init(struct order *o)
{
	memset(o, 0, sizeof(*o));
}

void order_release(struct order *o)
{
	size_t i;

	for (i = 0; i < o->nlines; i++) {
		free(o->lines[i].id);
		free(o->lines[i].product_id);
		free(o->lines[i].sku);
		free(o->lines[i].title);
	}
	for (i = 0; i < o->ncodes; i++)
		free(o->codes[i]);
	for (i = 0; i < o->nattrs; i++) {
		free(o->attrs[i].name);
		free(o->attrs[i].value);
	}
	for (i = 0; i < o->nrefunds; i++)
		free(o->refunds[i].id);
	free(o->lines);
	free(o->codes);
	free(o->attrs);
	free(o->refunds);
	free(o->id);
	free(o->name);
	free(o->customer_id);
	free(o->email);
	free(o->country);
	free(o->browser_ip);
	free(o->currency);
	free(o->presentment_currency);
	free(o->landing_url);
	free(o->referring_site);
	order_init(o);
}

void order_add_code(struct order *o, const char *code)
{
	o->codes = xrealloc(o->codes, (o->ncodes + 1) * sizeof(*o->codes));
	o->codes[o->ncodes++] = xstrdup(code);
}

void order_add_attr(struct order *o, const char *name, const char *value)
{
	o->attrs = xrealloc(o->attrs, (o->nattrs + 1) * sizeof(*o->attrs));
	o->attrs[o->nattrs].name = xstrdup(name);
	o->attrs[o->nattrs].value = xstrdup(value);
	o->nattrs++;
}

struct order_line *order_add_line(struct order *o)
{
	struct order_line *l;

	o->lines = xrealloc(o->lines, (o->nlines + 1) * sizeof(*o->lines));
	l = &o->lines[o->nlines++];
	memset(l, 0, sizeof(*l));
	l->quantity = 1;
	return l;
}

struct order_refund *order_add_refund(struct order *o)
{
	struct order_refund *r;

	o->refunds =
		xrealloc(o->refunds, (o->nrefunds + 1) * sizeof(*o->refunds));
	r = &o->refunds[o->nrefunds++];
	memset(r, 0, sizeof(*r));
	r->base = -1;
	return r;
}

const char *order_attr(const struct order *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nattrs; i++)
		if (str_ieq(o->attrs[i].name, name))
			return o->attrs[i].value;
	return NULL;
}

int64_t order_refunded(const struct order *o)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < o->nrefunds; i++)
		if (money_add(sum, o->refunds[i].amount, &sum) < 0)
			return INT64_MAX;
	return sum;
}

bool order_was_paid(const struct order *o)
{
	return o->financial == ORDER_PAID ||
	       o->financial == ORDER_PARTIALLY_REFUNDED ||
	       o->financial == ORDER_REFUNDED;
}

const char *order_financial_str(enum order_financial f)
{
	return f < ORDER_FINANCIAL__COUNT ? financial_names[f] : "unknown";
}

int order_financial_parse(const char *s, enum order_financial *out)
{
	int i;

	for (i = 0; i < ORDER_FINANCIAL__COUNT; i++)
		if (strcmp(s, financial_names[i]) == 0) {
			*out = (enum order_financial)i;
			return 0;
		}
	return -1;
}

static void add_time(cJSON *obj, const char *key, int64_t t)
{
	char stamp[21];

	if (!t) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	format_iso8601(t, stamp);
	cJSON_AddStringToObject(obj, key, stamp);
}

static cJSON *lines_to_json(const struct order *o)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];
		cJSON *j = cJSON_CreateObject();

		json_add_str(j, "id", l->id);
		json_add_str(j, "product_id", l->product_id);
		json_add_str(j, "sku", l->sku);
		json_add_str(j, "title", l->title);
		json_add_int(j, "quantity", l->quantity);
		json_add_int(j, "price", l->price);
		json_add_int(j, "discount", l->discount);
		cJSON_AddBoolToObject(j, "gift_card", l->gift_card);
		cJSON_AddItemToArray(arr, j);
	}
	return arr;
}

static cJSON *extras_to_json(const struct order *o, cJSON *obj)
{
	cJSON *codes = cJSON_AddArrayToObject(obj, "codes");
	cJSON *attrs = cJSON_AddObjectToObject(obj, "attributes");
	cJSON *refunds = cJSON_AddArrayToObject(obj, "refunds");
	size_t i;

	for (i = 0; i < o->ncodes; i++)
		cJSON_AddItemToArray(codes, cJSON_CreateString(o->codes[i]));
	for (i = 0; i < o->nattrs; i++)
		cJSON_AddStringToObject(attrs, o->attrs[i].name,
					o->attrs[i].value);
	for (i = 0; i < o->nrefunds; i++) {
		const struct order_refund *r = &o->refunds[i];
		cJSON *j = cJSON_CreateObject();

		json_add_str(j, "id", r->id);
		json_add_int(j, "amount", r->amount);
		if (r->base >= 0)
			json_add_int(j, "base", r->base);
		add_time(j, "created_at", r->created_at);
		cJSON_AddItemToArray(refunds, j);
	}
	return obj;
}

int order_to_json(const struct order *o, struct buf *out)
{
	cJSON *j = cJSON_CreateObject();
	int rc;

	json_add_str(j, "id", o->id);
	json_add_str(j, "name", o->name);
	json_add_str(j, "customer_id", o->customer_id);
	json_add_str(j, "email", o->email);
	json_add_str(j, "country", o->country);
	json_add_str(j, "currency", o->currency);
	json_add_str(j, "presentment_currency", o->presentment_currency);
	json_add_int(j, "total", o->total);
	json_add_int(j, "subtotal", o->subtotal);
	json_add_int(j, "tax", o->tax);
	json_add_int(j, "shipping", o->shipping);
	json_add_int(j, "discounts", o->discounts);
	json_add_int(j, "presentment_total", o->presentment_total);
	cJSON_AddStringToObject(j, "financial_status",
				order_financial_str(o->financial));
	cJSON_AddBoolToObject(j, "cancelled", o->cancelled);
	cJSON_AddBoolToObject(j, "test", o->test);
	add_time(j, "created_at", o->created_at);
	add_time(j, "updated_at", o->updated_at);
	json_add_str(j, "landing_url", o->landing_url);
	json_add_str(j, "referring_site", o->referring_site);
	cJSON_AddItemToObject(j, "lines", lines_to_json(o));
	extras_to_json(o, j);
	rc = json_print(out, j);
	cJSON_Delete(j);
	return rc;
}
