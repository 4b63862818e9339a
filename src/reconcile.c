#include "reconcile.h"
#include "pipeline.h"
#include "util/log.h"
#include "util/metrics.h"
#include "shop_access.h"
#include "token_refresh.h"
#include "store/store_orders.h"
#include "store/store_platform.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define OVERLAP	       3600
#define FIRST_LOOKBACK (2 * 86400)
#define MAX_WAITS      20
#define MAX_WAIT_MS    30000

struct pass {
	struct store *st;
	const enum signal_kind *precedence;
	int64_t shop_id;
	struct reconcile_stats *stats;
	struct buf *err;
};

static int take_order(void *ctx, const struct order *o)
{
	struct pass *p = ctx;
	struct pipeline_opts opts = {0, p->precedence};
	struct pipeline_outcome out;
	struct store_tx *tx;
	struct order_row row;
	int known;

	if (store_tx_begin(p->st, &tx, p->err) < 0)
		return -1;
	known = store_order_find(tx, p->shop_id, o->id, &row, p->err);
	if (known == 1)
		order_row_release(&row);
	if (known < 0 || pipeline_process_order(tx, p->shop_id, o, &opts, &out,
						p->err) < 0) {
		store_tx_rollback(tx);
		return -1;
	}
	if (store_tx_commit(tx, p->err) < 0)
		return -1;
	p->stats->seen++;
	p->stats->unknown += known == 0;
	p->stats->accrued += out.accrued > 0;
	if (o->updated_at > p->stats->newest)
		p->stats->newest = o->updated_at;
	if (known == 0)
		log_info("reconcile.found", "shop_id=%lld order=%s",
			 (long long)p->shop_id, o->id);
	return 0;
}

static int64_t start_time(struct store *st, int64_t shop_id, struct buf *err)
{
	struct store_tx *tx;
	int64_t last_order = 0, last_run = 0;

	if (store_read_begin(st, &tx, err) < 0)
		return -1;
	if (store_sync_get(tx, shop_id, &last_order, &last_run, err) < 0) {
		store_tx_rollback(tx);
		return -1;
	}
	store_tx_rollback(tx);
	if (last_order > 0)
		return last_order - OVERLAP;
	return clock_now() - FIRST_LOOKBACK;
}

static int record(struct store *st, int64_t shop_id,
		  const struct reconcile_stats *s, const char *error,
		  struct buf *err)
{
	struct store_tx *tx;

	if (store_tx_begin(st, &tx, err) < 0)
		return -1;
	if (store_sync_put(tx, shop_id, s->newest, clock_now(), error, err) <
	    0) {
		store_tx_rollback(tx);
		return -1;
	}
	return store_tx_commit(tx, err);
}

/* note: what the platform says the pass could not see, "" if nothing. */
static int walk_pages(struct shop_handle *h, struct http_client *http,
		      int64_t since, struct pass *pass, char note[256],
		      struct buf *err)
{
	struct provider_env env;
	struct order_page_cursor cursor;
	enum provider_status st;
	int waits = 0;

	shop_handle_env(h, pass->st, http, &env);
	memset(&cursor, 0, sizeof(cursor));
	do {
		st = provider_list_orders(h->platform->provider, &env, since,
					  &cursor, take_order, pass, err);
		if (st == PROVIDER_RETRY && waits++ < MAX_WAITS) {
			int64_t ms = cursor.retry_after_ms > 0
					     ? cursor.retry_after_ms
					     : 1000;

			clock_sleep_ms((uint64_t)(ms > MAX_WAIT_MS ? MAX_WAIT_MS
								   : ms));
			continue;
		}
		snprintf(note, 256, "%s", cursor.note);
		if (st != PROVIDER_OK)
			return -1;
	} while (cursor.next[0]);
	if (cursor.skipped) {
		pass->stats->skipped = cursor.skipped;
		log_warn("reconcile.skipped",
			 "shop_id=%lld count=%lld first=\"%s\"",
			 (long long)pass->shop_id, (long long)cursor.skipped,
			 cursor.skip_error);
	}
	return 0;
}

int reconcile_shop(struct store *st, const struct platform_set *set,
		   const enum signal_kind *precedence, int64_t shop_id,
		   int64_t since, struct reconcile_stats *out, struct buf *err)
{
	struct pass pass = {st, precedence, shop_id, out, err};
	struct shop_handle h;
	struct http_client *http;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = shop_handle_load(st, set, shop_id, &h, err);
	if (rc < 0)
		return -1;
	if (!h.platform || !h.ps.token ||
	    !provider_has(h.platform->provider, PROVIDER_CAN_FETCH_ORDER)) {
		rc = errorf(err, "shop %s cannot be read: %s", h.shop.domain,
			    !h.platform	  ? "this build has no such platform"
			    : !h.ps.token ? "it is not installed"
					  : "its platform lists no orders");
		shop_handle_release(&h);
		return rc;
	}
	if (since <= 0 && (since = start_time(st, shop_id, err)) < 0) {
		shop_handle_release(&h);
		return -1;
	}
	http = http_client_new(30000);
	rc = walk_pages(&h, http, since, &pass, out->note, err);
	http_client_free(http);
	record(st, shop_id, out, rc < 0 ? buf_str(err) : "", NULL);
	log_info("reconcile.done",
		 "shop=%s since=%lld seen=%lld unknown=%lld accrued=%lld ok=%d",
		 h.shop.domain, (long long)since, (long long)out->seen,
		 (long long)out->unknown, (long long)out->accrued, rc == 0);
	if (out->note[0])
		log_warn("reconcile.window", "shop=%s note=\"%s\"",
			 h.shop.domain, out->note);
	metrics_add(metrics_counter("affiliated_reconcile_found_total",
				    "Orders found by reconciliation that no "
				    "webhook delivered",
				    ""),
		    (uint64_t)out->unknown);
	shop_handle_release(&h);
	return rc;
}

int reconcile_all(struct store *st, const struct platform_set *set,
		  const enum signal_kind *precedence, struct buf *err)
{
	struct reconcile_stats stats;
	int64_t *ids;
	size_t n, i;

	if (shop_active_ids(st, &ids, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct buf one;

		buf_init(&one, BUF_SMALL);
		/* One shop's failure must not stop the others. */
		if (reconcile_shop(st, set, precedence, ids[i], 0, &stats,
				   &one) < 0)
			log_warn("reconcile.failed",
				 "shop_id=%lld error=\"%s\"", (long long)ids[i],
				 buf_str(&one));
		buf_release(&one);
	}
	free(ids);
	return 0;
}
