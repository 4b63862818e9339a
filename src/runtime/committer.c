#include "runtime/committer.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct item {
	committer_write *write;
	void *ctx;
	int rc;
	bool finished;
	char error[256];
	struct item *next;
	/* Its own wakeup: a commit wakes the threads it served, not all. */
	pthread_cond_t wake;
};

struct committer {
	struct store *st;
	pthread_mutex_t lock;
	struct item *head, **tail;
	bool busy;
	void (*notify)(void *ctx);
	void *ctx;
	struct metric *commits, *writes;
	_Atomic uint64_t last_write;
};

struct committer *committer_new(struct store *st, void (*notify)(void *ctx),
				void *ctx)
{
	struct committer *c = xcalloc(1, sizeof(*c));

	c->st = st;
	c->tail = &c->head;
	c->notify = notify;
	c->ctx = ctx;
	pthread_mutex_init(&c->lock, NULL);
	c->commits =
		metrics_counter("affiliated_group_commits_total",
				"Transactions shared by request writes", "");
	c->writes = metrics_counter("affiliated_group_writes_total",
				    "Request writes committed in groups", "");
	return c;
}

void committer_free(struct committer *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void run_one(struct store_tx *tx, struct item *it, struct buf *err)
{
	buf_reset(err);
	if (store_savepoint(tx, err) < 0) {
		it->rc = -1;
	} else {
		it->rc = it->write(tx, it->ctx, err);
		if (it->rc < 0)
			store_savepoint_rollback(tx);
		else if (store_savepoint_release(tx, err) < 0)
			it->rc = -1;
	}
	if (it->rc < 0)
		snprintf(it->error, sizeof(it->error), "%s", buf_str(err));
}

/*
 * One attempt at a batch. Optimistic first (no savepoints: they cost as
 * much as a write); isolated on the retry after a failure, so a bad
 * write fails alone. Returns 0 committed, -1 failed (err says why), 1 to
 * retry isolated.
 */
static int try_batch(struct committer *c, struct item *batch, bool isolate,
		     bool *news, struct buf *err)
{
	struct store_tx *tx;
	struct item *it;

	*news = false;
	if (store_tx_begin(c->st, &tx, err) < 0)
		return -1;
	for (it = batch; it; it = it->next) {
		if (isolate) {
			run_one(tx, it, err);
		} else {
			buf_reset(err);
			it->rc = it->write(tx, it->ctx, err);
			if (it->rc < 0) {
				store_tx_rollback(tx);
				return 1;
			}
		}
		*news |= it->rc > 0;
	}
	return store_tx_commit(tx, err);
}

/* Writes a batch in one transaction; each item gets its result. */
static void write_batch(struct committer *c, struct item *batch)
{
	struct item *it;
	struct buf err;
	bool news = false;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = try_batch(c, batch, false, &news, &err);
	if (rc == 1)
		rc = try_batch(c, batch, true, &news, &err);
	if (rc < 0) {
		log_error("commit.failed", "error=\"%s\"", buf_str(&err));
		for (it = batch; it; it = it->next) {
			it->rc = -1;
			snprintf(it->error, sizeof(it->error), "%s",
				 buf_str(&err));
		}
		news = false;
	}
	metrics_inc(c->commits);
	for (it = batch; it; it = it->next)
		metrics_inc(c->writes);
	buf_release(&err);
	if (news && c->notify)
		c->notify(c->ctx);
}

uint64_t committer_last_write(const struct committer *c)
{
	return c ? atomic_load(&c->last_write) : 0;
}

int committer_run(struct committer *c, committer_write *write, void *ctx,
		  struct buf *err)
{
	struct item me = {
		write, ctx, 0, false, "", NULL, PTHREAD_COND_INITIALIZER};
	struct item *batch, *it;

	atomic_store(&c->last_write, clock_usec());
	pthread_mutex_lock(&c->lock);
	*c->tail = &me;
	c->tail = &me.next;
	while (!me.finished) {
		if (c->busy) {
			pthread_cond_wait(&me.wake, &c->lock);
			continue;
		}
		/* Nobody is committing: this thread writes what is queued. */
		c->busy = true;
		batch = c->head;
		c->head = NULL;
		c->tail = &c->head;
		pthread_mutex_unlock(&c->lock);
		write_batch(c, batch);
		pthread_mutex_lock(&c->lock);
		c->busy = false;
		for (it = batch; it; it = it->next) {
			it->finished = true;
			if (it != &me)
				pthread_cond_signal(&it->wake);
		}
		/* Writes queued meanwhile: their first one leads next. */
		if (c->head)
			pthread_cond_signal(&c->head->wake);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_cond_destroy(&me.wake);
	if (me.rc < 0)
		return errorf(err, "%s", me.error);
	return me.rc;
}
