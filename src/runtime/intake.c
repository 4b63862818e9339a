#include "runtime/intake.h"
#include "platform.h"
#include "runtime/committer.h"
#include "runtime/webhook_confirm.h"
#include "runtime/webhook_secrets.h"
#include "store/store_inbox.h"
#include "store/store_shops.h"
#include "util/log.h"
#include "util/metrics.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/*
 * One line per outcome. answer: the text of the reply, where %s is the
 * detail (or the shop, or the platform); "" for the stored ones, whose
 * JSON body says which. reason: the log line's reason= (and the metric's
 * outcome= where it differs).
 */
static const struct outcome_row {
	int status;
	const char *metric; /* affiliated_webhooks_total{outcome=...} */
	enum log_level level;
	const char *event;
	const char *reason;
	const char *answer;
} table[INTAKE__COUNT] = {
	[INTAKE_STORED] = {200, "stored", LOG_INFO, "webhook.accepted", "",
			   "{\"status\":\"stored\"}"},
	[INTAKE_DUPLICATE] = {200, "duplicate", LOG_INFO, "webhook.accepted",
			      "", "{\"status\":\"duplicate\"}"},
	[INTAKE_UNKNOWN_PLATFORM] = {404, "unknown_platform", LOG_DEBUG,
				     "webhook.rejected", "unknown_platform",
				     "no platform '%s'"},
	[INTAKE_BAD_SIGNATURE] = {401, "bad_signature", LOG_WARN,
				  "webhook.rejected", "signature",
				  "bad or missing signature"},
	[INTAKE_MISMATCH] = {401, "mismatch", LOG_WARN, "webhook.rejected",
			     "mismatch",
			     "the body does not match the headers: %s"},
	[INTAKE_MALFORMED] = {400, "malformed", LOG_WARN, "webhook.rejected",
			      "headers", "malformed delivery: %s"},
	[INTAKE_UNKNOWN_SHOP] = {404, "unknown_shop", LOG_WARN,
				 "webhook.rejected", "unknown_shop",
				 "unknown shop '%s'"},
	[INTAKE_SHOP_LOOKUP_FAILED] = {503, "error", LOG_WARN,
				       "webhook.rejected", "store",
				       "storage unavailable"},
	[INTAKE_UNCONFIRMED] = {503, "unconfirmed", LOG_WARN,
				"webhook.rejected", "unconfirmed",
				"cannot confirm now: %s"},
	[INTAKE_REFUTED] = {401, "refuted", LOG_WARN, "webhook.rejected",
			    "refuted", "not confirmed: %s"},
	[INTAKE_STORE_FAILED] = {503, "error", LOG_ERROR,
				 "webhook.store_failed", "store_failed",
				 "could not store the delivery"},
};

/* Privacy deliveries still come after an uninstall. */
static bool for_uninstalled_too(enum webhook_kind kind)
{
	return kind == WEBHOOK_SHOP_REDACT || kind == WEBHOOK_CUSTOMER_REDACT ||
	       kind == WEBHOOK_DATA_REQUEST;
}

/* The shop a delivery is for, from the store: 1 found, 0 unknown, -1. */
static int shop_stored(struct app *app, const char *platform,
		       const char *domain, int64_t *shop_id, bool *active,
		       struct buf *err)
{
	struct store_tx *tx;
	struct shop shop;
	int rc;

	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_shop_find(tx, platform, domain, &shop, err);
	store_tx_rollback(tx);
	if (rc != 1)
		return rc;
	*shop_id = shop.id;
	*active = strcmp(shop.status, "active") == 0;
	shop_release(&shop);
	return 1;
}

/*
 * The shop a delivery is for: 1 found, 0 unknown or uninstalled, -1. The
 * shop table in memory answers; only a shop newer than its last load
 * (added by another process within the second) is read from the store.
 */
static int delivery_shop(struct app *app, const char *platform,
			 const struct webhook_info *w, int64_t *shop_id,
			 struct buf *err)
{
	bool active = false;
	int rc = webhook_secrets_shop(app->webhook_secrets, platform, w->shop,
				      shop_id, &active);

	if (rc == 0)
		rc = shop_stored(app, platform, w->shop, shop_id, &active, err);
	if (rc == 1 && !active && !for_uninstalled_too(w->kind))
		rc = 0;
	return rc;
}

/* In the shared transaction: 1 stored (news for the workers), 0 known. */
static int store_delivery(struct store_tx *tx, void *ctx, struct buf *err)
{
	int64_t id;

	return store_inbox_put(tx, ctx, &id, err);
}

/*
 * A shop added with its own secret (a custom app) has its deliveries
 * signed with that secret, not the app's. Only the shop the delivery
 * names is tried, so a secret signs for its own shop and no other.
 */
static bool verify_with_shop_secret(struct app *app, const struct platform *p,
				    const struct provider_request *pr)
{
	const char *shop = provider_webhook_claimed_shop(p->provider, pr);
	struct platform_config cfg = p->cfg;
	struct buf secret;
	bool ok = false;

	buf_init(&secret, 1024);
	if (shop && webhook_secrets_find(app->webhook_secrets, p->cfg.name,
					 shop, &secret) == 1) {
		cfg.client_secret = buf_str(&secret);
		ok = provider_verify_webhook(p->provider, &cfg, pr);
		OPENSSL_cleanse(secret.data, secret.cap);
	}
	buf_release(&secret);
	return ok;
}

/* Without an app only the shops' own secrets sign: never an empty key,
 * which anyone could sign with. */
static bool signed_for_us(struct app *app, const struct platform *p,
			  const struct provider_request *pr)
{
	return (p->has_app &&
		provider_verify_webhook(p->provider, &p->cfg, pr)) ||
	       verify_with_shop_secret(app, p, pr);
}

static enum intake_outcome take(struct app *app, const struct platform *p,
				const struct provider_request *pr,
				struct intake_result *r)
{
	struct webhook_info *w = &r->w;
	struct inbox_put it;
	int64_t shop_id = 0;
	int rc;

	if (!signed_for_us(app, p, pr))
		return INTAKE_BAD_SIGNATURE;
	if (provider_classify_webhook(p->provider, pr, w, &r->detail) < 0)
		return w->mismatch ? INTAKE_MISMATCH : INTAKE_MALFORMED;
	rc = delivery_shop(app, p->cfg.name, w, &shop_id, &r->detail);
	if (rc <= 0)
		return rc < 0 ? INTAKE_SHOP_LOOKUP_FAILED : INTAKE_UNKNOWN_SHOP;
	rc = webhook_confirm(app, shop_id, w->kind, &r->detail);
	if (rc <= 0)
		return rc < 0 ? INTAKE_UNCONFIRMED : INTAKE_REFUTED;
	it.shop_id = shop_id;
	it.platform = p->cfg.name;
	it.delivery_id = w->delivery_id;
	it.topic = w->topic;
	it.kind = (int)w->kind;
	it.body = pr->body;
	it.len = pr->len;
	rc = committer_run(app->committer, store_delivery, &it, &r->detail);
	if (rc < 0)
		return INTAKE_STORE_FAILED;
	return rc ? INTAKE_STORED : INTAKE_DUPLICATE;
}

enum intake_outcome intake_take(struct app *app, const char *platform,
				const struct provider_request *pr,
				struct intake_result *r)
{
	const struct platform *p = platforms_find(&app->platforms, platform);

	memset(r, 0, sizeof(*r));
	buf_init(&r->detail, BUF_SMALL);
	r->platform = platform ? platform : "";
	r->bytes = pr->len;
	if (!p) {
		r->outcome = INTAKE_UNKNOWN_PLATFORM;
		return r->outcome;
	}
	r->platform = p->cfg.name;
	r->outcome = take(app, p, pr, r);
	return r->outcome;
}

void intake_result_release(struct intake_result *r)
{
	buf_release(&r->detail);
}

/* What %s of the answer stands for in this outcome. */
static const char *answer_arg(const struct intake_result *r)
{
	switch (r->outcome) {
	case INTAKE_UNKNOWN_PLATFORM:
		return r->platform;
	case INTAKE_UNKNOWN_SHOP:
		return r->w.shop;
	default:
		return buf_str(&r->detail);
	}
}

static void count(const struct outcome_row *row)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "outcome=\"%s\"", row->metric);
	metrics_inc(metrics_counter("affiliated_webhooks_total",
				    "Webhook deliveries by outcome", labels));
}

int intake_report(const struct intake_result *r, struct buf *answer)
{
	const struct outcome_row *row = &table[r->outcome];
	/* The headers are known from the mismatch on; before, only bytes. */
	bool classified = r->outcome >= INTAKE_MISMATCH;

	count(row);
	if (r->outcome == INTAKE_STORED || r->outcome == INTAKE_DUPLICATE)
		log_info(row->event,
			 "platform=%s shop=%s topic=%s delivery=%s "
			 "duplicate=%d",
			 r->platform, r->w.shop, r->w.topic, r->w.delivery_id,
			 r->outcome == INTAKE_DUPLICATE);
	else
		log_at(row->level, row->event,
		       "platform=%s reason=%s shop=%s topic=%s delivery=%s "
		       "bytes=%zu error=\"%s\"",
		       r->platform, row->reason, classified ? r->w.shop : "",
		       classified ? r->w.topic : "",
		       classified ? r->w.delivery_id : "", r->bytes,
		       buf_str(&r->detail));
	buf_reset(answer);
	if (buf_printf(answer, row->answer, answer_arg(r)) < 0)
		return 500;
	return row->status;
}
