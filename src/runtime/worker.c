/*
 * Worker threads: take stored deliveries from the inbox and run them
 * through the pipeline. Worker k owns the shops with id % n == k, so one
 * shop's deliveries are handled in order by one thread. Network calls (an
 * order to fetch) happen before the write transaction, never inside it.
 * A batch of deliveries shares one commit; each runs in a savepoint, so a
 * bad one is undone alone and recorded as failed with its reason.
 */
#include "runtime/worker.h"
#include "runtime/app.h"
#include "runtime/committer.h"
#include "pipeline.h"
#include "util/log.h"
#include "util/metrics.h"
#include "reconcile.h"
#include "token_refresh.h"
#include "webhook_check.h"
#include "runtime/reward_sender.h"
#include "shop_access.h"
#include "store/store_inbox.h"
#include "store/store_platform.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "runtime/webhook_secrets.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256
/*
 * A batch holds the writer for at most this long, then commits: briefly
 * while requests are writing, longer when the daemon has the disk to
 * itself (fewer commits, each an fsync).
 */
#define BATCH_USEC	20000
#define BATCH_IDLE_USEC 250000
/*
 * While requests are writing (a burst of webhooks or clicks), workers
 * wait so that the requests get the writer; but never longer than this
 * in a row, so the inbox is always worked off.
 */
#define YIELD_IDLE_USEC 50000
#define YIELD_MAX_USEC	10000000
#define MAX_ATTEMPTS	12
#define APPROVE_EVERY	30
/* A refund for an order we have not seen waits this many tries for it. */
#define REFUND_WAIT_TRIES 2

struct worker {
	struct workers *pool;
	int part;
	pthread_t thread;
	struct http_client *http;
};

struct workers {
	struct app *app;
	int n;
	struct worker *w;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	bool started;		  /* threads running: workers_stop joins them */
	unsigned long generation; /* bumped by every notify */
	struct metric *done, *failed, *retried;
};

/* The outcome of fetching, before the transaction. */
struct fetched {
	bool unread;   /* the shop could not be read: try again later */
	bool unparsed; /* the body names no order: error says why */
	bool tried;
	enum provider_status status;
	struct order order;
	char error[512];
	/* A refund webhook that could not say what it returned, read. */
	bool refund_tried;
	enum provider_status refund_status;
	int64_t refund_base;
	char refund_error[256];
};

static int64_t backoff(int64_t attempts)
{
	int64_t s = 30;

	while (attempts-- > 0 && s < 6 * 3600)
		s *= 2;
	return s > 6 * 3600 ? 6 * 3600 : s;
}

/*
 * Reads the refund from the platform: a body without refunded lines or
 * adjustments (Shopify since 2024-10) cannot say whether it returned
 * goods or only shipping. A platform without the read leaves base -1.
 */
static void fetch_refund_base(const struct shop_handle *h,
			      const struct provider_env *env,
			      const char *order_id, const char *refund_id,
			      struct fetched *f)
{
	struct order_refund r;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	f->refund_status = provider_fetch_refund(h->platform->provider, env,
						 order_id, refund_id, &r, &err);
	f->refund_tried = f->refund_status != PROVIDER_UNSUPPORTED;
	if (f->refund_status == PROVIDER_OK) {
		f->refund_base = r.base;
		free(r.id);
	}
	snprintf(f->refund_error, sizeof(f->refund_error), "%s", buf_str(&err));
	buf_release(&err);
}

/* Fetches the order an item names, when it needs one. */
static void fetch_for(struct worker *wk, const struct inbox_item *it,
		      struct fetched *f)
{
	struct app *app = wk->pool->app;
	struct shop_handle h;
	struct order_refund r;
	struct buf err;
	char id[128] = "", refund_id[128] = "";
	int64_t base = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	buf_init(&err, BUF_SMALL);
	rc = shop_handle_load(app->store, &app->platforms, it->shop_id, &h,
			      &err);
	if (rc < 0) {
		f->unread = true;
		snprintf(f->error, sizeof(f->error), "%s", buf_str(&err));
		goto out;
	}
	if (!h.platform || !h.ps.token) {
		f->tried = true;
		f->status = PROVIDER_UNAUTHORIZED;
		snprintf(f->error, sizeof(f->error),
			 "shop is uninstalled or its platform is unknown to "
			 "this build");
		shop_handle_release(&h);
		goto out;
	}
	if (it->kind == WEBHOOK_ORDER_REF)
		rc = provider_parse_order_ref(h.platform->provider, it->body,
					      it->len, id, sizeof(id), &err);
	else if ((rc = provider_parse_refund(h.platform->provider, it->body,
					     it->len, id, sizeof(id), &r,
					     &err)) == 0) {
		snprintf(refund_id, sizeof(refund_id), "%s", r.id);
		base = r.base;
		free(r.id);
	}
	/* Stored unparsed (intake answers 200 to what is signed): the
	 * reason is recorded when the delivery is failed. */
	f->unparsed = rc < 0;
	if (rc == 0) {
		struct provider_env env;

		shop_handle_env(&h, app->store, wk->http, &env);

		if (it->kind == WEBHOOK_REFUND && base < 0)
			fetch_refund_base(&h, &env, id, refund_id, f);
		if (it->kind == WEBHOOK_ORDER_REF ||
		    it->attempts >= REFUND_WAIT_TRIES) {
			f->tried = true;
			f->status =
				provider_fetch_order(h.platform->provider, &env,
						     id, &f->order, &err);
		}
		/*
		 * Waiting for the merchant to open the app again is no fault
		 * of the delivery: it is tried again later, not failed.
		 */
		if (h.shop.reauth_needed) {
			if (f->status == PROVIDER_UNAUTHORIZED)
				f->status = PROVIDER_RETRY;
			if (f->refund_status == PROVIDER_UNAUTHORIZED)
				f->refund_status = PROVIDER_RETRY;
		}
	}
	snprintf(f->error, sizeof(f->error), "%s", buf_str(&err));
	shop_handle_release(&h);
out:
	buf_release(&err);
}

static bool needs_fetch(const struct inbox_item *it)
{
	return it->kind == WEBHOOK_ORDER_REF || it->kind == WEBHOOK_REFUND;
}

static const struct platform *item_platform(struct app *app,
					    const struct inbox_item *it)
{
	return platforms_find(&app->platforms, it->platform);
}

static int handle_privacy(struct store_tx *tx, const struct platform *p,
			  const struct inbox_item *it, struct buf *err)
{
	char id[128] = "", email[256] = "";
	struct buf export;
	int64_t n = 0;
	int rc = 0;

	buf_init(&export, BUF_LARGE);
	if (it->kind != WEBHOOK_SHOP_REDACT &&
	    provider_parse_privacy(p->provider, it->body, it->len, id,
				   sizeof(id), email, sizeof(email), err) < 0)
		rc = -1;
	else if (it->kind == WEBHOOK_DATA_REQUEST)
		rc = store_privacy_export(tx, it->shop_id, id, email, &export,
					  err);
	else if (it->kind == WEBHOOK_CUSTOMER_REDACT)
		rc = store_privacy_redact_customer(tx, it->shop_id, id, email,
						   &n, err);
	else
		rc = store_privacy_redact_shop(tx, it->shop_id, err);
	if (rc == 0)
		rc = store_privacy_add(tx, it->shop_id,
				       webhook_kind_str(it->kind), id, email,
				       export.data, err);
	if (rc == 0)
		log_info("privacy.done", "shop_id=%lld kind=%s orders=%lld",
			 (long long)it->shop_id, webhook_kind_str(it->kind),
			 (long long)n);
	buf_release(&export);
	return rc;
}

/*
 * Runs one item inside the transaction. Returns 0 done, 1 to retry later
 * (note says why), -1 failed for good (err says why).
 */
static int handle(struct store_tx *tx, struct app *app,
		  const struct inbox_item *it, struct fetched *f,
		  struct buf *note, struct buf *err)
{
	const struct platform *p = item_platform(app, it);
	struct pipeline_opts opts = {0, app->precedence};
	struct pipeline_outcome out;
	struct order_refund r;
	struct order o;
	char id[128];
	int rc;

	if (!p)
		return errorf(err, "platform %s is turned off", it->platform);
	if (f->unread) {
		errorf(note, "reading the shop: %s", f->error);
		return 1;
	}
	if (f->unparsed)
		return errorf(err, "%s", f->error);
	if (f->tried && f->status != PROVIDER_OK) {
		if (f->status == PROVIDER_RETRY) {
			errorf(note, "fetching the order: %s", f->error);
			return 1;
		}
		return errorf(err,
			      f->status == PROVIDER_REJECTED
				      ? "the order could not be read (%s): %s"
				      : "the order can no longer be fetched "
					"(%s): %s",
			      provider_status_str(f->status), f->error);
	}
	if (f->tried)
		return pipeline_process_order(tx, it->shop_id, &f->order, &opts,
					      &out, err);
	switch ((enum webhook_kind)it->kind) {
	case WEBHOOK_ORDER:
		if (provider_parse_order(p->provider, it->body, it->len, &o,
					 err) < 0)
			return -1;
		rc = pipeline_process_order(tx, it->shop_id, &o, &opts, &out,
					    err);
		order_release(&o);
		return rc;
	case WEBHOOK_REFUND:
		if (provider_parse_refund(p->provider, it->body, it->len, id,
					  sizeof(id), &r, err) < 0)
			return -1;
		if (f->refund_tried && f->refund_status == PROVIDER_RETRY) {
			errorf(note, "reading refund %s: %s", r.id,
			       f->refund_error);
			free(r.id);
			return 1;
		}
		if (f->refund_tried && f->refund_status == PROVIDER_OK)
			r.base = f->refund_base;
		else if (f->refund_tried)
			log_warn("refund.unread",
				 "order=%s refund=%s status=%s error=\"%s\"",
				 id, r.id,
				 provider_status_str(f->refund_status),
				 f->refund_error);
		rc = pipeline_process_refund(tx, it->shop_id, id, &r, &out,
					     err);
		free(r.id);
		if (rc == 0)
			errorf(note, "waiting for order %s", id);
		return rc < 0 ? -1 : rc == 0 ? 1 : 0;
	case WEBHOOK_UNINSTALLED:
		log_info("shop.uninstalled", "shop_id=%lld",
			 (long long)it->shop_id);
		if (store_shop_uninstall(tx, it->shop_id, err) < 0)
			return -1;
		webhook_secrets_deactivate(app->webhook_secrets, it->shop_id);
		return 0;
	case WEBHOOK_DATA_REQUEST:
	case WEBHOOK_CUSTOMER_REDACT:
	case WEBHOOK_SHOP_REDACT:
		return handle_privacy(tx, p, it, err);
	default:
		return 0;
	}
}

static void settle(struct workers *pool, struct store_tx *tx,
		   const struct inbox_item *it, int rc, const struct buf *note,
		   const struct buf *err)
{
	struct buf e;

	buf_init(&e, BUF_SMALL);
	if (rc == 0) {
		store_inbox_done(tx, it->id,
				 it->kind == WEBHOOK_IGNORED ? "ignored"
							     : "done",
				 "", &e);
		metrics_inc(pool->done);
	} else if (rc == 1 && it->attempts + 1 < MAX_ATTEMPTS) {
		store_inbox_retry(tx, it->id,
				  clock_now() + backoff(it->attempts),
				  buf_str(note), &e);
		log_info("webhook.retry",
			 "id=%lld platform=%s attempts=%lld in=%llds "
			 "reason=\"%s\"",
			 (long long)it->id, it->platform,
			 (long long)it->attempts + 1,
			 (long long)backoff(it->attempts), buf_str(note));
		metrics_inc(pool->retried);
	} else {
		log_warn("webhook.failed",
			 "id=%lld platform=%s topic=%s error=\"%s\"",
			 (long long)it->id, it->platform, it->topic,
			 rc == 1 ? buf_str(note) : buf_str(err));
		store_inbox_done(tx, it->id, "failed",
				 rc == 1 ? buf_str(note) : buf_str(err), &e);
		metrics_inc(pool->failed);
	}
	buf_release(&e);
}

static int run_batch(struct worker *wk, struct inbox_item *items, size_t n,
		     struct fetched *f, struct buf *err)
{
	struct app *app = wk->pool->app;
	struct store_tx *tx;
	struct buf note, why;
	uint64_t start, limit;
	bool failed = false;
	size_t i;
	int rc;

	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	buf_init(&note, BUF_SMALL);
	buf_init(&why, BUF_SMALL);
	start = clock_usec();
	limit = clock_usec() - committer_last_write(app->committer) <
				YIELD_IDLE_USEC
			? BATCH_USEC
			: BATCH_IDLE_USEC;
	for (i = 0; i < n && clock_usec() - start < limit; i++) {
		buf_reset(&note);
		buf_reset(&why);
		if (store_savepoint(tx, err) < 0) {
			failed = true;
			break;
		}
		rc = handle(tx, app, &items[i], &f[i], &note, &why);
		if (rc == 0)
			store_savepoint_release(tx, err);
		else
			store_savepoint_rollback(tx);
		settle(wk->pool, tx, &items[i], rc, &note, &why);
	}
	buf_release(&note);
	buf_release(&why);
	if (failed) {
		store_tx_rollback(tx);
		return -1;
	}
	/* Items left over stay pending: the next round takes them. */
	return store_tx_commit(tx, err);
}

/*
 * An uninstall marked its shop inactive in intake's table before its
 * commit; a load that read the store just before that commit would bring
 * the shop back as active for a second, so the table is read again now.
 */
static void reload_after_uninstall(struct app *app,
				   const struct inbox_item *items, size_t n)
{
	struct buf err;
	size_t i;

	for (i = 0; i < n && items[i].kind != WEBHOOK_UNINSTALLED; i++)
		;
	if (i == n)
		return;
	buf_init(&err, BUF_SMALL);
	if (webhook_secrets_load(app->webhook_secrets, app->store, &err) < 0)
		log_error("webhook_secrets.reload_failed", "error=\"%s\"",
			  buf_str(&err));
	buf_release(&err);
}

/* One round: returns how many items it handled, -1 on a store error. */
static int work_once(struct worker *wk)
{
	struct app *app = wk->pool->app;
	struct inbox_item *items = NULL;
	struct fetched *f;
	struct store_tx *tx;
	struct buf err;
	size_t n = 0, i;
	int rc = -1;

	buf_init(&err, BUF_SMALL);
	if (store_read_begin(app->store, &tx, &err) < 0)
		goto out;
	rc = store_inbox_due(tx, clock_now(), wk->part, wk->pool->n, BATCH,
			     &items, &n, &err);
	store_tx_rollback(tx);
	if (rc < 0 || n == 0)
		goto out;
	f = xcalloc(n, sizeof(*f));
	for (i = 0; i < n; i++)
		if (needs_fetch(&items[i]))
			fetch_for(wk, &items[i], &f[i]);
	rc = run_batch(wk, items, n, f, &err) < 0 ? -1 : (int)n;
	/* Approvals in the batch may have queued rewards. */
	reward_sender_notify(app->sender);
	if (rc > 0)
		reload_after_uninstall(app, items, n);
	for (i = 0; i < n; i++) {
		if (f[i].tried && f[i].status == PROVIDER_OK)
			order_release(&f[i].order);
		inbox_item_release(&items[i]);
	}
	free(f);
out:
	if (rc < 0)
		log_error("worker.failed", "part=%d error=\"%s\"", wk->part,
			  buf_str(&err));
	free(items);
	buf_release(&err);
	return rc;
}

static void approve_due(struct app *app)
{
	struct store_tx *tx;
	struct buf err;
	int count = 0;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(app->store, &tx, &err) == 0) {
		if (pipeline_approve_due(tx, clock_now(), &count, &err) < 0)
			store_tx_rollback(tx);
		else
			store_tx_commit(tx, &err);
	}
	if (err.len)
		log_error("approve.failed", "error=\"%s\"", buf_str(&err));
	else if (count)
		log_info("approve.done", "count=%d", count);
	if (count)
		reward_sender_notify(app->sender);
	buf_release(&err);
}

/*
 * Housekeeping that one worker does: approvals, reconciliation, and the
 * check of the platforms' webhook subscriptions (at start, then every
 * subscriptions_interval; *last_check 0 means not yet).
 */
static void periodic(struct worker *wk, int64_t *last_approve,
		     int64_t *last_reconcile, int64_t *last_check)
{
	struct app *app = wk->pool->app;
	int64_t now = clock_now();
	int64_t every;
	struct buf err;

	if (wk->part != 0)
		return;
	if (now - *last_approve >= APPROVE_EVERY) {
		*last_approve = now;
		approve_due(app);
	}
	every = config_int(app->cfg, CFG_SERVER_SUBSCRIPTIONS_INTERVAL);
	if (!*last_check || (every > 0 && now - *last_check >= every)) {
		*last_check = now;
		/* Before 2027, while the old tokens can still be exchanged. */
		token_migrate_all(app->store, &app->platforms, wk->http);
		webhook_check_all(app->store, &app->platforms, app->cfg);
	}
	every = config_int(app->cfg, CFG_SERVER_RECONCILE_INTERVAL);
	if (every > 0 && now - *last_reconcile >= every) {
		*last_reconcile = now;
		buf_init(&err, BUF_SMALL);
		if (reconcile_all(app->store, &app->platforms, app->precedence,
				  &err) < 0)
			log_error("reconcile.failed", "error=\"%s\"",
				  buf_str(&err));
		buf_release(&err);
	}
}

/* Whether to let a burst of request writes go first for now. */
static bool yield_to_requests(struct worker *wk, uint64_t *since)
{
	uint64_t now = clock_usec();
	uint64_t last = committer_last_write(wk->pool->app->committer);

	if (!last || now - last > YIELD_IDLE_USEC) {
		*since = 0;
		return false;
	}
	if (!*since)
		*since = now;
	if (now - *since > YIELD_MAX_USEC) {
		*since = now;
		return false;
	}
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct workers *pool = wk->pool;
	int64_t last_approve = 0, last_reconcile = clock_now(), last_check = 0;
	uint64_t yielding = 0;
	unsigned long seen;
	struct timespec until;
	bool stopping;
	int n;

	for (;;) {
		pthread_mutex_lock(&pool->lock);
		seen = pool->generation;
		stopping = pool->stopping;
		pthread_mutex_unlock(&pool->lock);
		if (!stopping && yield_to_requests(wk, &yielding)) {
			clock_sleep_ms(20);
			continue;
		}
		n = work_once(wk);
		periodic(wk, &last_approve, &last_reconcile, &last_check);
		pthread_mutex_lock(&pool->lock);
		if (pool->stopping) {
			pthread_mutex_unlock(&pool->lock);
			break;
		}
		if (n < BATCH && pool->generation == seen) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += n < 0 ? 5 : 1;
			pthread_cond_timedwait(&pool->wake, &pool->lock,
					       &until);
		}
		pthread_mutex_unlock(&pool->lock);
	}
	return NULL;
}

struct workers *workers_new(struct app *app, int n)
{
	struct workers *pool = xcalloc(1, sizeof(*pool));
	int i;

	pool->app = app;
	pool->n = n;
	pool->w = xcalloc((size_t)n, sizeof(*pool->w));
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pool->done = metrics_counter("affiliated_inbox_processed_total",
				     "Stored deliveries processed, by result",
				     "result=\"done\"");
	pool->failed = metrics_counter("affiliated_inbox_processed_total",
				       "Stored deliveries processed, by result",
				       "result=\"failed\"");
	pool->retried = metrics_counter(
		"affiliated_inbox_processed_total",
		"Stored deliveries processed, by result", "result=\"retry\"");
	for (i = 0; i < n; i++) {
		pool->w[i].pool = pool;
		pool->w[i].part = i;
		pool->w[i].http = http_client_new(15000);
	}
	return pool;
}

void workers_start(struct workers *pool)
{
	int i;

	for (i = 0; i < pool->n; i++)
		if (pthread_create(&pool->w[i].thread, NULL, worker_main,
				   &pool->w[i]) != 0)
			BUG("cannot start a worker");
	pool->started = true;
}

void workers_notify(void *ctx)
{
	struct workers *pool = ctx;

	pthread_mutex_lock(&pool->lock);
	pool->generation++;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
}

void workers_stop(struct workers *pool)
{
	int i;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (i = 0; i < pool->n; i++) {
		if (pool->started)
			pthread_join(pool->w[i].thread, NULL);
		http_client_free(pool->w[i].http);
	}
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool->w);
	free(pool);
}
