/*
 * The reward sender: issues due rewards through the provider, once.
 *
 * Exactly once in effect: every reward's code is derived from its id, so
 * a call repeated after a timeout, a 5xx or a crash asks the platform for
 * the same code, gets "already exists" and looks the existing one up
 * instead of making a second. A reward is marked `sending` before the
 * call; after a crash those are queued again (the code makes that safe).
 * Calls are paced per shop by what the platform says about its limit, and
 * retried with exponential backoff and jitter; refusals fail at once
 * with the platform's own message.
 */
#include "runtime/reward_sender.h"
#include "runtime/app.h"
#include "util/crypto.h"
#include "runtime/email_sender.h"
#include "ledger.h"
#include "util/log.h"
#include "util/metrics.h"
#include "runtime/pacer.h"
#include "shop_access.h"
#include "token_refresh.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "util/clock.h"
#include "util/money.h"
#include "util/wakeup.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds between looks at a shop waiting for a new sign-in. */
#define REAUTH_WAIT 300
#define DUE_BATCH   200
#define IDLE_MS	    1000

struct reward_sender {
	struct app *app;
	pthread_t thread;
	struct wakeup wake;
	struct http_client *http;
	struct pacer pacer;
	struct metric *issued, *retried, *failed, *throttled;
};

/* What a reward is about, for titles and emails. */
struct reward_ctx {
	struct shop_handle shop;
	struct affiliate aff;
	bool have_aff;
};

static int open_ctx(struct reward_sender *s, const struct reward *r,
		    struct reward_ctx *c, struct buf *err)
{
	struct store_tx *tx;
	int rc;

	memset(c, 0, sizeof(*c));
	if (store_read_begin(s->app->store, &tx, err) < 0)
		return -1;
	rc = shop_handle_open(tx, &s->app->platforms, r->shop_id, &c->shop,
			      err);
	if (rc == 0 && r->affiliate_id)
		c->have_aff = store_affiliate_get(tx, r->affiliate_id, &c->aff,
						  err) == 1;
	store_tx_rollback(tx);
	return rc;
}

static void close_ctx(struct reward_ctx *c)
{
	shop_handle_release(&c->shop);
	if (c->have_aff)
		affiliate_release(&c->aff);
}

static void value_text(const struct reward *r, char *out, size_t n)
{
	struct buf b;

	if (strcmp(r->value_type, "percent") == 0) {
		snprintf(out, n, "%lld.%02lld%%", (long long)(r->value / 100),
			 (long long)(r->value % 100));
		return;
	}
	buf_init(&b, 64);
	if (money_format(&b, r->value, money_exponent(r->currency)) < 0)
		buf_reset(&b);
	snprintf(out, n, "%s %s", buf_str(&b), r->currency);
	buf_release(&b);
}

/* Records the result of a call that created (or found) the reward. */
static int settle_issued(struct reward_sender *s, const struct reward *r,
			 const struct reward_ctx *c,
			 const struct reward_result *res, const char *note,
			 struct buf *err)
{
	struct store_tx *tx;
	char memo[160], value[64];

	if (store_tx_begin(s->app->store, &tx, err) < 0)
		return -1;
	snprintf(memo, sizeof(memo), "reward %lld issued: %s %s",
		 (long long)r->id, r->kind, r->code);
	if (store_reward_issued(tx, r->id, res->platform_id, note, err) < 0 ||
	    (r->commission_id &&
	     ledger_payout(tx, r->affiliate_id, r->currency, r->value,
			   r->commission_id, memo, err) < 0))
		goto fail;
	if (c->have_aff && config_get(s->app->cfg, CFG_SMTP_URL)[0]) {
		struct email e;
		struct buf body;
		char subject[300];

		value_text(r, value, sizeof(value));
		snprintf(subject, sizeof(subject), "Your reward from %s",
			 c->shop.shop.name[0] ? c->shop.shop.name
					      : c->shop.shop.domain);
		buf_init(&body, 4096);
		if (buf_printf(
			    &body,
			    "Hello %s,\n\n%s\n\n  Code:  %s\n  Value: %s%s\n\n"
			    "Enter the code at checkout on %s.\n",
			    c->aff.name,
			    r->commission_id
				    ? "Thank you for bringing customers to "
				      "the shop. Your reward is ready:"
				    : "Your personal discount code is active. "
				      "Share it: your friends save, and their "
				      "orders are credited to you.",
			    r->code, value,
			    r->commission_id ? "" : " off for your friends",
			    c->shop.shop.domain) < 0)
			buf_reset(&body);
		e.id = 0;
		e.shop_id = r->shop_id;
		e.reward_id = r->id;
		e.recipient = c->aff.email;
		e.subject = subject;
		e.body = body.data;
		e.attempts = 0;
		if (store_email_add(tx, &e, err) < 0) {
			buf_release(&body);
			goto fail;
		}
		buf_release(&body);
	}
	return store_tx_commit(tx, err);
fail:
	store_tx_rollback(tx);
	return -1;
}

static int record(struct reward_sender *s, const struct reward *r,
		  enum provider_status st, const struct reward_result *res,
		  const char *message)
{
	struct store_tx *tx;
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(s->app->store, &tx, &err) < 0) {
		buf_release(&err);
		return -1;
	}
	if (st == PROVIDER_RETRY &&
	    r->attempts + 1 <
		    config_int(s->app->cfg, CFG_REWARDS_MAX_ATTEMPTS)) {
		int64_t wait =
			config_retry_backoff_ms(s->app->cfg, r->attempts + 1);

		if (res->retry_after_ms > wait)
			wait = res->retry_after_ms;
		rc = store_reward_again(tx, r->id,
					clock_now() + (wait + 999) / 1000,
					message, &err);
		metrics_inc(s->retried);
	} else {
		log_warn("reward.failed", "reward=%lld status=%s error=\"%s\"",
			 (long long)r->id, provider_status_str(st), message);
		rc = store_reward_fail(tx, r->id, message, &err);
		metrics_inc(s->failed);
	}
	if (rc == 0)
		rc = store_tx_commit(tx, &err);
	else
		store_tx_rollback(tx);
	buf_release(&err);
	return rc;
}

/*
 * Back to pending without counting the attempt, until `until`: the shop
 * waits for its merchant to open the app again, or the platform's rate
 * limit said wait. Neither is the reward's fault, so neither may use up
 * its attempts or grow its backoff.
 */
static void park(struct reward_sender *s, const struct reward *r, int64_t until,
		 const char *why)
{
	struct store_tx *tx;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(s->app->store, &tx, &err) == 0) {
		if (store_reward_park(tx, r->id, until, why, &err) == 0)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	if (err.len)
		log_error("reward.park_failed", "reward=%lld error=\"%s\"",
			  (long long)r->id, buf_str(&err));
	log_debug("reward.parked", "reward=%lld shop_id=%lld until=%lld",
		  (long long)r->id, (long long)r->shop_id, (long long)until);
	buf_release(&err);
}

static enum provider_status call(struct reward_sender *s,
				 const struct reward *r, struct reward_ctx *c,
				 struct reward_result *res, struct buf *err)
{
	const struct provider *p = c->shop.platform->provider;
	struct provider_env env;
	struct reward_request req;
	char title[200];
	bool gift = strcmp(r->kind, "gift_card") == 0;
	enum provider_status st;

	shop_handle_env(&c->shop, s->app->store, s->http, &env);
	snprintf(title, sizeof(title), "%s for %s",
		 r->commission_id ? "Reward" : "Friend discount",
		 c->have_aff ? c->aff.name : "an affiliate");
	memset(&req, 0, sizeof(req));
	req.code = r->code;
	req.title = title;
	req.percent = strcmp(r->value_type, "percent") == 0;
	req.value = r->value;
	req.currency = r->currency;
	req.exponent = money_exponent(r->currency);
	/*
	 * A coupon is limited to the affiliate's customer account; a gift
	 * card names nobody: naming a customer needs Shopify's
	 * write_customers scope, and the code reaches the affiliate by email.
	 */
	req.customer_id = r->commission_id && c->have_aff && !gift
				  ? c->aff.customer_id
				  : NULL;
	req.usage_limit = r->commission_id ? 1 : 0;
	memset(res, 0, sizeof(*res));
	st = gift ? provider_create_gift_card(p, &env, &req, res, err)
		  : provider_create_coupon(p, &env, &req, res, err);
	pacer_update(&s->pacer, r->shop_id, &res->rate, res->retry_after_ms,
		     clock_usec());
	if (st == PROVIDER_EXISTS) {
		/* Ours from an earlier try: find it rather than make another.
		 */
		struct reward_result found;

		memset(&found, 0, sizeof(found));
		buf_reset(err);
		st = gift ? provider_find_gift_card(p, &env, r->code, &found,
						    err)
			  : provider_find_coupon(p, &env, r->code, &found, err);
		pacer_update(&s->pacer, r->shop_id, &found.rate,
			     found.retry_after_ms, clock_usec());
		if (st == PROVIDER_OK || st == PROVIDER_NOT_FOUND) {
			snprintf(res->platform_id, sizeof(res->platform_id),
				 "%s", found.platform_id);
			st = PROVIDER_EXISTS;
		} else {
			res->retry_after_ms = found.retry_after_ms;
		}
	}
	return st;
}

/*
 * The last attempt failed in a way that may have created the code (a
 * timeout, a dropped answer, a 5xx after the write): the reward is not
 * marked failed until a lookup says the code is not on the platform,
 * since an affiliate who never hears of a coupon that exists is the
 * failure we must not have. Found: issued. Lookup failed: tried again.
 */
static void settle_by_lookup(struct reward_sender *s, const struct reward *r,
			     struct reward_ctx *c, const char *last_error)
{
	const struct provider *p = c->shop.platform->provider;
	bool gift = strcmp(r->kind, "gift_card") == 0;
	struct reward_result found;
	struct provider_env env;
	struct buf err;
	enum provider_status st;
	char why[600];

	buf_init(&err, BUF_SMALL);
	memset(&found, 0, sizeof(found));
	shop_handle_env(&c->shop, s->app->store, s->http, &env);
	st = gift ? provider_find_gift_card(p, &env, r->code, &found, &err)
		  : provider_find_coupon(p, &env, r->code, &found, &err);
	pacer_update(&s->pacer, r->shop_id, &found.rate, found.retry_after_ms,
		     clock_usec());
	if (st == PROVIDER_OK) {
		if (settle_issued(s, r, c, &found,
				  "the last try failed, but the code was "
				  "found on the platform",
				  &err) == 0) {
			metrics_inc(s->issued);
			email_sender_notify(s->app->emails);
		}
	} else if (st == PROVIDER_NOT_FOUND) {
		snprintf(why, sizeof(why),
			 "%s (and the code is not on the platform)",
			 last_error);
		record(s, r, PROVIDER_REJECTED, &found, why);
	} else {
		snprintf(why, sizeof(why),
			 "%s; whether the code exists could not be looked up "
			 "(%s): tried again",
			 last_error, buf_str(&err));
		park(s, r,
		     clock_now() + (config_retry_backoff_ms(s->app->cfg,
							    r->attempts) +
				    999) / 1000,
		     why);
	}
	buf_release(&err);
}

/* Gift cards refused by this shop: the reward becomes a coupon. */
static void fall_back_to_coupon(struct reward_sender *s, const struct reward *r,
				const struct buf *why)
{
	struct store_tx *tx;
	struct buf err;
	char note[400];

	snprintf(note, sizeof(note),
		 "gift cards are not available on this shop (%s): issued as a "
		 "discount code of the same value",
		 buf_str(why));
	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(s->app->store, &tx, &err) == 0) {
		if (store_reward_as_coupon(tx, r->id, note, &err) == 0 &&
		    store_shop_no_gift_cards(tx, r->shop_id, note, &err) == 0)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	log_warn("reward.gift_card_refused", "reward=%lld shop_id=%lld",
		 (long long)r->id, (long long)r->shop_id);
	buf_release(&err);
}

static void send_one(struct reward_sender *s, const struct reward *r)
{
	struct reward_result res;
	struct reward_ctx c;
	struct store_tx *tx;
	struct buf err;
	enum provider_status st;
	int claimed = 0;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(s->app->store, &tx, &err) == 0) {
		claimed = store_reward_claim(tx, r->id, &err);
		if (claimed == 1)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	if (claimed != 1)
		goto out;
	memset(&res, 0, sizeof(res));
	if (open_ctx(s, r, &c, &err) < 0) {
		record(s, r, PROVIDER_REJECTED, &res, buf_str(&err));
		goto out;
	}
	if (c.shop.shop.reauth_needed) {
		park(s, r, clock_now() + REAUTH_WAIT,
		     "waiting for the merchant to open the app again (the "
		     "platform refused to refresh the token)");
		close_ctx(&c);
		goto out;
	}
	if (!c.shop.platform || !c.shop.ps.token) {
		record(s, r, PROVIDER_UNAUTHORIZED, &res,
		       "the shop is uninstalled or its platform is turned off");
		close_ctx(&c);
		goto out;
	}
	if (strcmp(r->value_type, "amount") == 0 && c.shop.shop.currency[0] &&
	    strcmp(r->currency, c.shop.shop.currency) != 0) {
		errorf(&err, "the reward is in %s but the shop sells in %s",
		       r->currency, c.shop.shop.currency);
		record(s, r, PROVIDER_REJECTED, &res, buf_str(&err));
		close_ctx(&c);
		goto out;
	}
	st = call(s, r, &c, &res, &err);
	if (st == PROVIDER_OK || st == PROVIDER_EXISTS) {
		if (settle_issued(s, r, &c, &res,
				  st == PROVIDER_EXISTS
					  ? "already on the platform from an "
					    "earlier try: found, not created "
					    "again"
					  : "",
				  &err) == 0) {
			metrics_inc(s->issued);
			email_sender_notify(s->app->emails);
			log_info("reward.issued",
				 "reward=%lld kind=%s found=%d",
				 (long long)r->id, r->kind,
				 st == PROVIDER_EXISTS);
		}
	} else if (st == PROVIDER_UNSUPPORTED &&
		   strcmp(r->kind, "gift_card") == 0) {
		fall_back_to_coupon(s, r, &err);
	} else if (st == PROVIDER_UNAUTHORIZED && c.shop.shop.reauth_needed) {
		park(s, r, clock_now() + REAUTH_WAIT, buf_str(&err));
	} else if (st == PROVIDER_RETRY && res.throttled) {
		/* The pacer holds the shop back; the reward only waits. */
		metrics_inc(s->throttled);
		park(s, r, clock_now() + (res.retry_after_ms + 999) / 1000,
		     buf_str(&err));
	} else if (st == PROVIDER_RETRY &&
		   r->attempts + 1 >=
			   config_int(s->app->cfg, CFG_REWARDS_MAX_ATTEMPTS)) {
		settle_by_lookup(s, r, &c, buf_str(&err));
	} else {
		record(s, r, st, &res, buf_str(&err));
	}
	close_ctx(&c);
out:
	buf_release(&err);
}

/* One pass over the due rewards; returns how long the next pass may wait. */
static uint64_t pass(struct reward_sender *s)
{
	struct reward *items = NULL;
	struct store_tx *tx;
	struct buf err;
	uint64_t wait_us = IDLE_MS * 1000, w;
	size_t n = 0, i;

	buf_init(&err, BUF_SMALL);
	if (store_read_begin(s->app->store, &tx, &err) == 0) {
		store_reward_due(tx, clock_now(), DUE_BATCH, &items, &n, &err);
		store_tx_rollback(tx);
	}
	for (i = 0; i < n && !wakeup_stopping(&s->wake); i++) {
		w = pacer_wait_us(&s->pacer, items[i].shop_id, clock_usec());
		if (w > 0) {
			if (w < wait_us)
				wait_us = w;
			continue;
		}
		send_one(s, &items[i]);
		wait_us = 0;
	}
	free(items);
	buf_release(&err);
	return wait_us;
}

static void *sender_main(void *arg)
{
	struct reward_sender *s = arg;
	unsigned long mark;
	uint64_t wait_us;

	do {
		mark = wakeup_mark(&s->wake);
		wait_us = pass(s);
	} while (wakeup_wait(&s->wake, mark, wait_us));
	return NULL;
}

static int64_t backlog(void *ctx, bool oldest)
{
	struct app *app = ctx;
	struct store_tx *tx;
	int64_t depth = 0, first = 0;

	if (store_read_begin(app->store, &tx, NULL) < 0)
		return 0;
	store_reward_backlog(tx, &depth, &first, NULL);
	store_tx_rollback(tx);
	if (!oldest)
		return depth;
	return first ? clock_now() - first : 0;
}

static int64_t queue_depth(void *ctx)
{
	return backlog(ctx, false);
}

static int64_t oldest_age(void *ctx)
{
	return backlog(ctx, true);
}

static void requeue_interrupted(struct app *app)
{
	struct store_tx *tx;
	struct buf err;
	int64_t n = 0;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(app->store, &tx, &err) == 0) {
		if (store_reward_requeue_sending(tx, &n, &err) == 0)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	if (n)
		log_warn("reward.requeued", "count=%lld reason=interrupted",
			 (long long)n);
	buf_release(&err);
}

struct reward_sender *reward_sender_start(struct app *app)
{
	struct reward_sender *s = xcalloc(1, sizeof(*s));
	static const char help[] = "Rewards by outcome of a platform call";

	s->app = app;
	s->http = http_client_new(config_int(app->cfg, CFG_REWARDS_TIMEOUT_MS));
	pacer_init(&s->pacer);
	wakeup_init(&s->wake);
	s->issued = metrics_counter("affiliated_rewards_total", help,
				    "outcome=\"issued\"");
	s->retried = metrics_counter("affiliated_rewards_total", help,
				     "outcome=\"retried\"");
	s->failed = metrics_counter("affiliated_rewards_total", help,
				    "outcome=\"failed\"");
	s->throttled =
		metrics_counter("affiliated_rewards_throttled_total",
				"Reward calls the platform throttled", "");
	metrics_gauge("affiliated_rewards_queue_depth",
		      "Rewards waiting to be issued", "", queue_depth, app);
	metrics_gauge("affiliated_rewards_oldest_pending_seconds",
		      "Age of the oldest reward waiting to be issued", "",
		      oldest_age, app);
	requeue_interrupted(app);
	if (pthread_create(&s->thread, NULL, sender_main, s) != 0)
		BUG("cannot start the reward sender");
	return s;
}

void reward_sender_notify(struct reward_sender *s)
{
	if (s)
		wakeup_notify(&s->wake);
}

void reward_sender_stop(struct reward_sender *s)
{
	if (!s)
		return;
	wakeup_stop(&s->wake);
	pthread_join(s->thread, NULL);
	http_client_free(s->http);
	wakeup_destroy(&s->wake);
	free(s);
}
