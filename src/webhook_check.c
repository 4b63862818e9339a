#include "webhook_check.h"
#include "util/http_client.h"
#include "util/log.h"
#include "util/metrics.h"
#include "shop_access.h"
#include "token_refresh.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int record(struct store *st, int64_t shop_id,
		  const struct webhook_check *c, struct buf *err)
{
	struct store_tx *tx;
	size_t i;

	if (store_tx_begin(st, &tx, err) < 0)
		return -1;
	if (store_shop_topics_clear(tx, shop_id, err) < 0)
		goto fail;
	for (i = 0; i < c->ntopics; i++)
		if (store_shop_topic_put(tx, shop_id, c->topics[i].topic,
					 topic_state_str(c->topics[i].state),
					 c->topics[i].message, err) < 0)
			goto fail;
	return store_tx_commit(tx, err);
fail:
	store_tx_rollback(tx);
	return -1;
}

/*
 * A check without fix only sees a refused topic as missing: the refusal
 * and its words, from the last time it was asked for, still stand.
 */
static int keep_refusal(void *ctx, const char *topic, const char *state,
			const char *message, int64_t checked_at)
{
	struct webhook_check *c = ctx;
	size_t i;

	(void)checked_at;
	if (strcmp(state, "refused") != 0)
		return 0;
	for (i = 0; i < c->ntopics; i++)
		if (c->topics[i].state == TOPIC_MISSING &&
		    strcmp(c->topics[i].topic, topic) == 0) {
			c->topics[i].state = TOPIC_REFUSED;
			snprintf(c->topics[i].message,
				 sizeof(c->topics[i].message), "%s", message);
		}
	return 0;
}

static int earlier_refusals(struct store *st, int64_t shop_id,
			    struct webhook_check *c, struct buf *err)
{
	struct store_tx *tx;
	int rc;

	if (store_read_begin(st, &tx, err) < 0)
		return -1;
	rc = store_shop_topics_each(tx, shop_id, keep_refusal, c, err);
	store_tx_rollback(tx);
	return rc;
}

static void token_state(const struct shop_handle *h, char out[64])
{
	snprintf(out, 64, "%s",
		 h->shop.reauth_needed		? "reauth_needed"
		 : !h->ps.token			? "none"
		 : h->shop.token_expires_at > 0 ? "expiring"
						: "does_not_expire");
}

bool webhook_check_incomplete(const struct webhook_check *c)
{
	size_t i;

	for (i = 0; i < c->ntopics; i++)
		if (c->topics[i].state != TOPIC_OK)
			return true;
	return false;
}

int webhook_check_shop(struct store *st, const struct platform_set *set,
		       const struct config *cfg, int64_t shop_id, bool fix,
		       struct webhook_check *out, struct buf *err)
{
	struct shop_handle h;
	struct provider_env env;
	struct http_client *http = NULL;
	struct buf address, why;
	enum provider_status ps;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = shop_handle_load(st, set, shop_id, &h, err);
	if (rc < 0)
		return -1;
	token_state(&h, out->token_state);
	buf_init(&address, 1024);
	buf_init(&why, BUF_SMALL);
	if (!h.platform ||
	    !provider_has(h.platform->provider, PROVIDER_CAN_API_WEBHOOKS))
		goto out;
	out->supported = true;
	if (!h.ps.token || strcmp(h.shop.status, "active") != 0) {
		snprintf(out->error, sizeof(out->error),
			 "the shop is not installed");
		goto out;
	}
	if (buf_printf(&address, "%s/webhooks/%s",
		       config_get(cfg, CFG_SERVER_PUBLIC_URL),
		       provider_name(h.platform->provider)) < 0) {
		rc = errorf(err, "public_url too long");
		goto out;
	}
	http = http_client_new(15000);
	shop_handle_env(&h, st, http, &env);
	ps = provider_check_webhooks(h.platform->provider, &env, address.data,
				     fix, out->topics, &out->ntopics, &why);
	token_state(&h, out->token_state);
	if (ps != PROVIDER_OK) {
		snprintf(out->error, sizeof(out->error), "%s: %s",
			 provider_status_str(ps), buf_str(&why));
		log_warn("webhooks.check_failed", "shop=%s error=\"%s\"",
			 h.shop.domain, out->error);
		goto out;
	}
	rc = fix ? 0 : earlier_refusals(st, shop_id, out, err);
	if (rc == 0)
		rc = record(st, shop_id, out, err);
	{
		size_t i;

		for (i = 0; i < out->ntopics; i++)
			if (out->topics[i].state != TOPIC_OK)
				log_warn("webhooks.topic",
					 "shop=%s topic=%s state=%s "
					 "message=\"%s\"",
					 h.shop.domain, out->topics[i].topic,
					 topic_state_str(out->topics[i].state),
					 out->topics[i].message);
	}
	metrics_inc(metrics_counter(
		"affiliated_webhook_checks_total",
		"Checks of the platforms' webhook subscriptions",
		webhook_check_incomplete(out) ? "result=\"incomplete\""
					      : "result=\"ok\""));
out:
	if (http)
		http_client_free(http);
	buf_release(&address);
	buf_release(&why);
	shop_handle_release(&h);
	return rc;
}

void webhook_check_all(struct store *st, const struct platform_set *set,
		       const struct config *cfg)
{
	struct webhook_check c;
	struct buf err;
	int64_t *ids = NULL;
	size_t n = 0, i;

	buf_init(&err, BUF_SMALL);
	if (shop_active_ids(st, &ids, &n, &err) < 0)
		n = 0;
	else
		/* One shop's failure must not stop the others. */
		for (i = 0; i < n; i++) {
			buf_reset(&err);
			if (webhook_check_shop(st, set, cfg, ids[i], true, &c,
					       &err) < 0)
				log_error("webhooks.check_failed",
					  "shop_id=%lld error=\"%s\"",
					  (long long)ids[i], buf_str(&err));
		}
	if (!n && err.len)
		log_error("webhooks.check_all_failed", "error=\"%s\"",
			  buf_str(&err));
	free(ids);
	buf_release(&err);
}
