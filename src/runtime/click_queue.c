#include "runtime/click_queue.h"
#include "runtime/click_seen.h"
#include "util/log.h"
#include "util/metrics.h"
#include "store/store_clicks.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELOAD_MS 1000

enum { USER_AGENT_MAX = 255 };

struct queued {
	struct click c;
	char agent[USER_AGENT_MAX + 1];
};

struct batch {
	struct queued *v;
	size_t n;
};

struct click_queue {
	struct store *st;
	struct click_codes *codes;
	int64_t window; /* seconds; 0: every click counts */
	size_t capacity;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Under lock: */
	struct batch in; /* filled by requests */
	struct click_seen *seen;
	int64_t next_id;
	bool stopping;
	/* The thread's own: the batch being written. */
	struct batch out;
	struct metric *dropped, *failed;
};

/*
 * Milliseconds since the epoch on the daemon's clock: clock_now() with
 * the wall clock's milliseconds, both read within one second.
 */
static int64_t wall_ms(void)
{
	struct timespec a, b;
	int64_t now;

	do {
		clock_gettime(CLOCK_REALTIME, &a);
		now = clock_now();
		clock_gettime(CLOCK_REALTIME, &b);
	} while (a.tv_sec != b.tv_sec);
	return now * 1000 + a.tv_nsec / 1000000;
}

static int note_visit(void *ctx, const struct click *c)
{
	click_seen_note(ctx, c->affiliate_id, c->ip_hash, c->created_at, c->id);
	return 0;
}

static int read_state(struct click_queue *q, struct buf *err)
{
	struct store_tx *tx;
	int64_t max = 0, floor = wall_ms() * 1024;
	int rc;

	if (store_read_begin(q->st, &tx, err) < 0)
		return -1;
	rc = store_click_max_id(tx, &max, err);
	if (rc == 0 && q->window > 0)
		rc = store_clicks_since(tx, clock_now() - q->window + 1,
					click_seen_capacity(), note_visit,
					q->seen, err);
	store_tx_rollback(tx);
	q->next_id = max + 1 > floor ? max + 1 : floor;
	return rc < 0 ? -1 : click_codes_load(q->codes, q->st, err);
}

/* One transaction for the whole batch; 0 once it is on the disk. */
static int write_batch(struct click_queue *q, struct buf *err)
{
	struct store_tx *tx = NULL;
	size_t i;

	if (store_tx_begin(q->st, &tx, err) < 0)
		return -1;
	for (i = 0; i < q->out.n; i++) {
		q->out.v[i].c.user_agent = q->out.v[i].agent;
		if (store_click_put(tx, &q->out.v[i].c, err) < 0) {
			store_tx_abandon(&tx);
			return -1;
		}
	}
	return store_tx_finish(&tx, err);
}

/*
 * Writes out, keeping it for the next round when the store refuses it
 * (a full disk): meanwhile new clicks fill in, and past its capacity
 * they are dropped, so memory stays bounded.
 */
static void commit_out(struct click_queue *q, bool last)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (write_batch(q, &err) == 0) {
		q->out.n = 0;
	} else {
		metrics_inc(q->failed);
		log_error("clicks.commit_failed", "clicks=%zu error=\"%s\"",
			  q->out.n, buf_str(&err));
		if (last) {
			log_error("clicks.lost", "clicks=%zu", q->out.n);
			q->out.n = 0;
		}
	}
	buf_release(&err);
}

static void reload_codes(struct click_queue *q)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (click_codes_load(q->codes, q->st, &err) < 0)
		log_error("clicks.codes_reload_failed", "error=\"%s\"",
			  buf_str(&err));
	buf_release(&err);
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += ms * 1000000L;
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

/*
 * Each round waits out the rest of the commit window (or less, when the
 * queue is half full or the daemon stops), takes what requests queued
 * and writes it with the lock released, so requests never wait on the
 * disk. Stopping takes a last round for whatever is left.
 */
static void *writer_main(void *arg)
{
	struct click_queue *q = arg;
	uint64_t reloaded = clock_usec();
	struct batch swap;
	struct timespec until;
	bool stopping = false;

	while (!stopping) {
		deadline_in(&until, CLICK_COMMIT_MS);
		pthread_mutex_lock(&q->lock);
		while (!q->stopping &&
		       (q->out.n || q->in.n < q->capacity / 2) &&
		       pthread_cond_timedwait(&q->wake, &q->lock, &until) !=
			       ETIMEDOUT)
			;
		stopping = q->stopping;
		if (q->out.n == 0) {
			swap = q->out;
			q->out = q->in;
			q->in = swap;
		}
		pthread_mutex_unlock(&q->lock);
		if (q->out.n)
			commit_out(q, false);
		if (clock_usec() - reloaded >= RELOAD_MS * 1000u) {
			reload_codes(q);
			reloaded = clock_usec();
		}
	}
	/* Requests have stopped: at most out and in are left. */
	if (q->out.n)
		commit_out(q, true);
	swap = q->out;
	q->out = q->in;
	q->in = swap;
	if (q->out.n)
		commit_out(q, true);
	return NULL;
}

static void queue_free(struct click_queue *q)
{
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->lock);
	click_codes_free(q->codes);
	click_seen_free(q->seen);
	free(q->in.v);
	free(q->out.v);
	free(q);
}

struct click_queue *click_queue_start(struct store *st, int64_t window,
				      size_t capacity, struct buf *err)
{
	struct click_queue *q = xcalloc(1, sizeof(*q));
	pthread_condattr_t attr;

	q->st = st;
	q->window = window;
	q->capacity = capacity;
	q->codes = click_codes_new();
	q->seen = click_seen_new();
	q->in.v = xcalloc(capacity, sizeof(*q->in.v));
	q->out.v = xcalloc(capacity, sizeof(*q->out.v));
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->wake, &attr);
	pthread_condattr_destroy(&attr);
	q->dropped = metrics_counter("affiliated_clicks_dropped_total",
				     "clicks not recorded because the click "
				     "queue was full",
				     "");
	q->failed = metrics_counter("affiliated_click_commits_failed_total",
				    "click batches the store refused (kept "
				    "for the next commit)",
				    "");
	if (read_state(q, err) < 0) {
		error_prefix(err, "loading clicks");
		goto fail;
	}
	if (pthread_create(&q->thread, NULL, writer_main, q) != 0) {
		errorf(err, "cannot start the click writer");
		goto fail;
	}
	return q;
fail:
	queue_free(q);
	return NULL;
}

void click_queue_stop(struct click_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	queue_free(q);
}

enum click_outcome click_queue_add(struct click_queue *q, const struct click *c,
				   int64_t *id)
{
	enum click_outcome rc = CLICK_QUEUED;
	struct queued *e;

	pthread_mutex_lock(&q->lock);
	if (q->window > 0 &&
	    click_seen_find(q->seen, c->affiliate_id, c->ip_hash,
			    c->created_at - q->window + 1, id)) {
		rc = CLICK_REPEAT;
	} else if (q->in.n == q->capacity) {
		*id = 0;
		rc = CLICK_DROPPED;
	} else {
		e = &q->in.v[q->in.n++];
		e->c = *c;
		e->c.id = *id = q->next_id++;
		snprintf(e->agent, sizeof(e->agent), "%s",
			 c->user_agent ? c->user_agent : "");
		e->c.user_agent = NULL;
		if (q->window > 0)
			click_seen_note(q->seen, c->affiliate_id, c->ip_hash,
					c->created_at, e->c.id);
		/* Half full: commit early rather than drop. */
		if (q->in.n == q->capacity / 2)
			pthread_cond_signal(&q->wake);
	}
	pthread_mutex_unlock(&q->lock);
	if (rc == CLICK_DROPPED)
		metrics_inc(q->dropped);
	return rc;
}

struct click_codes *click_queue_codes(struct click_queue *q)
{
	return q->codes;
}
