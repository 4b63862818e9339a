/*
 * Each due email is one attempt: sent, retried later with the reward
 * backoff ([rewards] backoff_ms) up to [smtp] max_attempts, or failed at
 * once when the server refuses it for good (5xx). Delivery is at least
 * once: a message cut off by a stop after the server took it, but before
 * its reply, goes again at the next start.
 */
#include "runtime/email_sender.h"
#include "runtime/app.h"
#include "util/log.h"
#include "util/mailer.h"
#include "util/metrics.h"
#include "config.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "util/clock.h"
#include "util/wakeup.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

#define DUE_BATCH 20
#define TICK_USEC 1000000

struct email_sender {
	struct app *app;
	pthread_t thread;
	struct wakeup wake; /* its stopping flag also aborts the mailer */
	struct mailer mailer;
	int64_t max_attempts;
	struct metric *sent, *failed;
};

static void record(struct email_sender *s, const struct email *e,
		   enum mail_result res, const char *why)
{
	const char *status = "sent";
	int64_t next = 0, attempts = e->attempts + 1;
	struct store_tx *tx;
	struct buf err;

	if (res == MAIL_REFUSED ||
	    (res == MAIL_RETRY && attempts >= s->max_attempts)) {
		status = "failed";
	} else if (res == MAIL_RETRY) {
		status = "pending";
		/* Rounded up: a wait under a second must not mean "now". */
		next = clock_now() +
		       (config_retry_backoff_ms(s->app->cfg, attempts) + 999) /
			       1000;
	}
	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(s->app->store, &tx, &err) == 0) {
		if (store_email_result(tx, e->id, status, next, why, &err) == 0)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	if (err.len)
		log_error("email.record", "email=%lld error=\"%s\"",
			  (long long)e->id, buf_str(&err));
	if (res == MAIL_SENT) {
		metrics_inc(s->sent);
	} else {
		log_warn("email.failed", "email=%lld status=%s error=\"%s\"",
			 (long long)e->id, status, why);
		if (next == 0)
			metrics_inc(s->failed);
	}
	buf_release(&err);
}

/* Sends what is due now; returns how many were tried. */
static size_t pass(struct email_sender *s)
{
	struct email *items = NULL;
	struct store_tx *tx;
	struct buf err, why;
	size_t n = 0, i, tried = 0;

	buf_init(&err, BUF_SMALL);
	if (store_read_begin(s->app->store, &tx, &err) == 0) {
		store_email_due(tx, clock_now(), DUE_BATCH, &items, &n, &err);
		store_tx_rollback(tx);
	}
	for (i = 0; i < n; i++) {
		enum mail_result res = MAIL_ABORTED;

		buf_init(&why, BUF_SMALL);
		if (!wakeup_stopping(&s->wake))
			res = mailer_send(&s->mailer, items[i].recipient,
					  items[i].subject, items[i].body,
					  &why);
		/* Not an attempt: it stays as it was, for the next start. */
		if (res != MAIL_ABORTED) {
			record(s, &items[i], res, buf_str(&why));
			tried++;
		}
		buf_release(&why);
		email_release(&items[i]);
	}
	free(items);
	buf_release(&err);
	return tried;
}

static void *email_main(void *arg)
{
	struct email_sender *s = arg;
	unsigned long mark;
	uint64_t pause;

	do {
		mark = wakeup_mark(&s->wake);
		/* After a full batch there may be more due: no pause. */
		pause = pass(s) >= DUE_BATCH ? 0 : TICK_USEC;
	} while (wakeup_wait(&s->wake, mark, pause));
	return NULL;
}

struct email_sender *email_sender_start(struct app *app)
{
	struct email_sender *s;

	if (!config_get(app->cfg, CFG_SMTP_URL)[0])
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->app = app;
	wakeup_init(&s->wake);
	s->mailer.url = config_get(app->cfg, CFG_SMTP_URL);
	s->mailer.from = config_get(app->cfg, CFG_SMTP_FROM);
	s->mailer.username = config_get(app->cfg, CFG_SMTP_USERNAME);
	s->mailer.password = config_get(app->cfg, CFG_SMTP_PASSWORD);
	s->mailer.timeout_ms = (long)config_int(app->cfg, CFG_SMTP_TIMEOUT_MS);
	s->mailer.stop = &s->wake.stopping;
	s->max_attempts = config_int(app->cfg, CFG_SMTP_MAX_ATTEMPTS);
	s->sent = metrics_counter("affiliated_emails_sent_total",
				  "Reward emails sent", "");
	s->failed = metrics_counter("affiliated_emails_failed_total",
				    "Reward emails given up", "");
	if (pthread_create(&s->thread, NULL, email_main, s) != 0)
		BUG("cannot start the email sender");
	return s;
}

void email_sender_notify(struct email_sender *s)
{
	if (s)
		wakeup_notify(&s->wake);
}

void email_sender_stop(struct email_sender *s)
{
	if (!s)
		return;
	wakeup_stop(&s->wake);
	pthread_join(s->thread, NULL);
	wakeup_destroy(&s->wake);
	free(s);
}
