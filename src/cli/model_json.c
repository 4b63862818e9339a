#include "cli/model_json.h"
#include "util/json.h"
#include "util/parse.h"

#include <stdio.h>

void bps_text(int64_t bps, char out[32])
{
	if (bps % 100 == 0)
		snprintf(out, 32, "%lld", (long long)(bps / 100));
	else if (bps % 10 == 0)
		snprintf(out, 32, "%lld.%lld", (long long)(bps / 100),
			 (long long)(bps % 100 / 10));
	else
		snprintf(out, 32, "%lld.%02lld", (long long)(bps / 100),
			 (long long)(bps % 100));
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char stamp[21];

	if (!t) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	format_iso8601(t, stamp);
	cJSON_AddStringToObject(o, key, stamp);
}

cJSON *shop_json(const struct shop *s)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", s->id);
	json_add_str(o, "platform", s->platform);
	json_add_str(o, "shop", s->domain);
	json_add_str(o, "name", s->name);
	json_add_str(o, "currency", s->currency);
	json_add_str(o, "status", shop_status(s));
	add_time(o, "installed_at", s->installed_at);
	if (s->token_expires_at > 0)
		add_time(o, "token_expires_at", s->token_expires_at);
	if (s->reauth_needed)
		json_add_str(o, "reauth_reason", s->reauth_reason);
	cJSON_AddBoolToObject(o, "own_webhook_secret", s->own_webhook_secret);
	return o;
}

static cJSON *rules_json(const struct program *p)
{
	cJSON *arr = cJSON_CreateArray();
	char pct[32];
	size_t i;

	for (i = 0; i < p->nrules; i++) {
		cJSON *r = cJSON_CreateObject();

		json_add_str(r, "kind", rule_kind_str(p->rules[i].kind));
		json_add_str(r, "match", p->rules[i].match);
		json_add_int(r, "threshold", p->rules[i].threshold);
		json_add_int(r, "rate_bps", p->rules[i].rate_bps);
		bps_text(p->rules[i].rate_bps, pct);
		json_add_str(r, "percent", pct);
		cJSON_AddItemToArray(arr, r);
	}
	return arr;
}

cJSON *program_json(const struct program *p, const char *shop_domain)
{
	cJSON *o = cJSON_CreateObject();
	char pct[32];

	json_add_int(o, "id", p->id);
	json_add_int(o, "shop_id", p->shop_id);
	json_add_str(o, "shop", shop_domain);
	json_add_str(o, "name", p->name);
	json_add_str(o, "kind", program_kind_str(p->kind));
	json_add_str(o, "landing", p->landing_url);
	json_add_str(o, "commission",
		     p->commission == COMMISSION_FIXED ? "fixed" : "percent");
	json_add_int(o, "rate_bps", p->rate_bps);
	bps_text(p->rate_bps, pct);
	json_add_str(o, "percent",
		     p->commission == COMMISSION_FIXED ? NULL : pct);
	json_add_int(o, "fixed", p->fixed_amount);
	json_add_str(o, "currency", p->currency);
	json_add_str(o, "reward", reward_kind_str(p->reward));
	json_add_int(o, "reward_value", p->reward_value);
	json_add_int(o, "friend_discount_bps", p->friend_discount_bps);
	bps_text(p->friend_discount_bps, pct);
	json_add_str(o, "friend_discount", pct);
	json_add_str(o, "base", commission_base_str(p->base));
	json_add_int(o, "window_days", p->window_days);
	json_add_str(o, "on", p->credit_on_paid ? "paid" : "created");
	json_add_int(o, "hold_days", p->hold_days);
	cJSON_AddBoolToObject(o, "manual_approval", p->manual_approval);
	cJSON_AddBoolToObject(o, "approve_affiliates", p->approve_affiliates);
	json_add_int(o, "min_order", p->min_order);
	json_add_int(o, "cap", p->cap);
	json_add_int(o, "lifetime_days", p->lifetime_days);
	json_add_str(o, "networks", p->networks);
	json_add_str(o, "status", p->active ? "active" : "paused");
	cJSON_AddItemToObject(o, "rules", rules_json(p));
	add_time(o, "created_at", p->created_at);
	return o;
}

cJSON *affiliate_json(const struct affiliate *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *coupons = cJSON_CreateArray();
	size_t i;

	json_add_int(o, "id", a->id);
	json_add_int(o, "shop_id", a->shop_id);
	json_add_int(o, "program", a->program_id);
	json_add_str(o, "name", a->name);
	json_add_str(o, "email", a->email);
	json_add_str(o, "status", affiliate_status_str(a->status));
	json_add_str(o, "code", a->code);
	json_add_str(o, "customer_id", a->customer_id);
	for (i = 0; i < a->ncoupons; i++)
		cJSON_AddItemToArray(coupons,
				     cJSON_CreateString(a->coupons[i]));
	cJSON_AddItemToObject(o, "coupons", coupons);
	add_time(o, "created_at", a->created_at);
	return o;
}

cJSON *order_json(const struct order_row *r, const char *platform,
		  const char *shop_domain, const struct commission *c,
		  const char *status)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", r->id);
	json_add_str(o, "shop", shop_domain);
	json_add_str(o, "platform", platform);
	json_add_str(o, "platform_order_id", r->platform_order_id);
	json_add_str(o, "name", r->name);
	json_add_str(o, "currency", r->currency);
	json_add_int(o, "total", r->total);
	json_add_int(o, "commissionable", r->commissionable);
	json_add_str(o, "presentment_currency", r->presentment_currency);
	json_add_int(o, "presentment_total", r->presentment_total);
	json_add_str(o, "financial_status", order_financial_str(r->financial));
	cJSON_AddBoolToObject(o, "cancelled", r->cancelled);
	if (r->affiliate_id)
		json_add_int(o, "affiliate_id", r->affiliate_id);
	else
		cJSON_AddNullToObject(o, "affiliate_id");
	json_add_str(o, "decision", r->decision);
	json_add_str(o, "signal", r->signal[0] ? r->signal : NULL);
	json_add_str(o, "network", r->network[0] ? r->network : NULL);
	json_add_str(o, "reason", r->reason);
	json_add_int(o, "commission", c ? c->amount : 0);
	if (c) {
		json_add_int(o, "commission_id", c->id);
		json_add_str(o, "commission_explanation", c->explanation);
		json_add_str(o, "review", c->review[0] ? c->review : NULL);
	}
	json_add_str(o, "status", status);
	add_time(o, "placed_at", r->placed_at);
	add_time(o, "seen_at", r->first_seen_at);
	return o;
}

cJSON *entry_json(const struct ledger_entry *e)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", e->id);
	json_add_str(o, "kind", e->kind);
	json_add_str(o, "bucket", e->bucket);
	json_add_int(o, "amount", e->amount);
	json_add_str(o, "currency", e->currency);
	if (e->order_id)
		json_add_int(o, "order_id", e->order_id);
	else
		cJSON_AddNullToObject(o, "order_id");
	if (e->commission_id)
		json_add_int(o, "commission_id", e->commission_id);
	else
		cJSON_AddNullToObject(o, "commission_id");
	json_add_str(o, "memo", e->memo);
	add_time(o, "created_at", e->created_at);
	json_add_str(o, "hash", e->hash);
	return o;
}

cJSON *reward_json(const struct reward *r)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", r->id);
	if (r->affiliate_id)
		json_add_int(o, "affiliate_id", r->affiliate_id);
	else
		cJSON_AddNullToObject(o, "affiliate_id");
	if (r->order_id)
		json_add_int(o, "order_id", r->order_id);
	else
		cJSON_AddNullToObject(o, "order_id");
	json_add_str(o, "purpose", r->purpose);
	json_add_str(o, "kind", r->kind);
	json_add_str(o, "value_type", r->value_type);
	json_add_int(o, "value", r->value);
	json_add_str(o, "currency", r->currency);
	json_add_str(o, "status", reward_status_str(r->status));
	json_add_str(o, "code", r->code);
	json_add_str(o, "platform_id", r->platform_id);
	json_add_int(o, "attempts", r->attempts);
	json_add_str(o, "last_error", r->last_error);
	json_add_str(o, "note", r->note);
	add_time(o, "created_at", r->created_at);
	add_time(o, "updated_at", r->updated_at);
	return o;
}

/* The commission's state in words, from its ledger entries. */
const char *commission_status(struct store_tx *tx, const struct commission *c,
			      struct buf *err)
{
	struct commission_state st;
	int64_t payout = 0;

	if (store_commission_state(tx, c->id, &st, err) < 0)
		return "unknown";
	if (st.reversed >= c->amount)
		return "reversed";
	if (!st.approved)
		return c->review[0] ? "held" : "pending";
	if (store_ledger_last_payout(tx, c->affiliate_id, c->currency, &payout,
				     err) == 0 &&
	    payout > st.approval_entry)
		return "paid";
	return st.reversed > 0 ? "approved_partly_reversed" : "approved";
}
