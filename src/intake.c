#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct waiter {
	const struct inbox_put *item;
	int result;
	bool done;
	char error[256];
	struct waiter *next;
};

struct intake {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t queued;
	pthread_cond_t committed;
	struct waiter *head, **tail;
	bool stopping;
	void (*notify)(void *ctx);
	void *ctx;
	struct metric *batches, *stored, *duplicates;
};

/* Writes a batch in one transaction; every waiter gets its result. */
static void commit_batch(struct intake *in, struct waiter *batch)
{
	struct store_tx *tx = NULL;
	struct waiter *w;
	struct buf err;
	int64_t id;
	int news = 0, rc = 0;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(in->st, &tx, &err) < 0)
		rc = -1;
	for (w = batch; rc == 0 && w; w = w->next) {
		w->result = store_inbox_put(tx, w->item, &id, &err);
		if (w->result < 0)
			rc = -1;
		news += w->result == 1;
	}
	if (rc == 0 && store_tx_commit(tx, &err) < 0)
		rc = -1;
	else if (rc < 0 && tx)
		store_tx_rollback(tx);
	if (rc < 0)
		log_error("intake.commit_failed", "error=\"%s\"",
			  buf_str(&err));
	metrics_inc(in->batches);
	for (w = batch; w; w = w->next) {
		if (rc < 0) {
			w->result = -1;
			snprintf(w->error, sizeof(w->error), "%s",
				 buf_str(&err));
		} else {
			metrics_inc(w->result ? in->stored : in->duplicates);
		}
	}
	buf_release(&err);
	if (news && in->notify)
		in->notify(in->ctx);
}

static void *committer(void *arg)
{
	struct intake *in = arg;
	struct waiter *batch, *w;

	pthread_mutex_lock(&in->lock);
	for (;;) {
		while (!in->head && !in->stopping)
			pthread_cond_wait(&in->queued, &in->lock);
		if (!in->head && in->stopping)
			break;
		batch = in->head;
		in->head = NULL;
		in->tail = &in->head;
		pthread_mutex_unlock(&in->lock);
		commit_batch(in, batch);
		pthread_mutex_lock(&in->lock);
		for (w = batch; w; w = w->next)
			w->done = true;
		pthread_cond_broadcast(&in->committed);
	}
	pthread_mutex_unlock(&in->lock);
	return NULL;
}

struct intake *intake_start(struct store *st, void (*notify)(void *ctx),
			    void *ctx)
{
	struct intake *in = xcalloc(1, sizeof(*in));

	in->st = st;
	in->tail = &in->head;
	in->notify = notify;
	in->ctx = ctx;
	in->batches =
		metrics_counter("affiliated_intake_commits_total",
				"Transactions that stored deliveries", "");
	in->stored = metrics_counter("affiliated_webhooks_total",
				     "Webhook deliveries by outcome",
				     "outcome=\"stored\"");
	in->duplicates = metrics_counter("affiliated_webhooks_total",
					 "Webhook deliveries by outcome",
					 "outcome=\"duplicate\"");
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->queued, NULL);
	pthread_cond_init(&in->committed, NULL);
	if (pthread_create(&in->thread, NULL, committer, in) != 0)
		BUG("cannot start the intake committer");
	return in;
}

void intake_stop(struct intake *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	in->stopping = true;
	pthread_cond_signal(&in->queued);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->thread, NULL);
	pthread_cond_destroy(&in->queued);
	pthread_cond_destroy(&in->committed);
	pthread_mutex_destroy(&in->lock);
	free(in);
}

int intake_store(struct intake *in, const struct inbox_put *it, struct buf *err)
{
	struct waiter w = {it, 0, false, "", NULL};

	pthread_mutex_lock(&in->lock);
	if (in->stopping) {
		pthread_mutex_unlock(&in->lock);
		return errorf(err, "shutting down");
	}
	*in->tail = &w;
	in->tail = &w.next;
	pthread_cond_signal(&in->queued);
	while (!w.done)
		pthread_cond_wait(&in->committed, &in->lock);
	pthread_mutex_unlock(&in->lock);
	if (w.result < 0)
		return errorf(err, "%s", w.error);
	return w.result;
}
