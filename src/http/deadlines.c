#include "http/deadlines.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* How often the reaper looks: a deadline is kept to within this. */
#define REAP_MS 200

enum phase { PHASE_HEADERS, PHASE_BODY, PHASE_HANDLER, PHASE__COUNT };

static const char *const phase_names[PHASE__COUNT] = {
	"headers", /* PHASE_HEADERS */
	"body",	   /* PHASE_BODY */
	"handler", /* PHASE_HANDLER */
};

struct conn_clock {
	struct conn_clock *prev, *next;
	int fd;
	char ip[64];
	enum phase phase;
	uint64_t until; /* clock_usec; 0 in PHASE_HANDLER */
	bool cut;	/* shut down already */
};

struct deadlines {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t reaper;
	bool stopping;
	uint64_t header_us, body_us;
	struct conn_clock *head;
	struct metric *cut;
};

static void set_phase(struct deadlines *d, struct conn_clock *c, enum phase p,
		      uint64_t span)
{
	pthread_mutex_lock(&d->lock);
	c->phase = p;
	c->until = span ? clock_usec() + span : 0;
	pthread_mutex_unlock(&d->lock);
}

/* Under the lock: shuts down what is past its deadline. */
static void reap(struct deadlines *d, uint64_t now)
{
	struct conn_clock *c;

	for (c = d->head; c; c = c->next) {
		if (c->cut || !c->until || now < c->until)
			continue;
		c->cut = true;
		/* MHD's thread sees the end of the stream and closes it. */
		shutdown(c->fd, SHUT_RDWR);
		metrics_inc(d->cut);
		log_warn("http.deadline", "address=%s phase=%s", c->ip,
			 phase_names[c->phase]);
	}
}

static void *reaper_main(void *arg)
{
	struct deadlines *d = arg;
	struct timespec ts;

	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += REAP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->wake, &d->lock, &ts);
		reap(d, clock_usec());
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

struct deadlines *deadlines_start(unsigned header_s, unsigned body_s)
{
	struct deadlines *d = xcalloc(1, sizeof(*d));

	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	d->header_us = (uint64_t)header_s * 1000000;
	d->body_us = (uint64_t)body_s * 1000000;
	d->cut = metrics_counter("affiliated_http_deadline_cuts_total",
				 "Connections cut for being too slow", "");
	if (pthread_create(&d->reaper, NULL, reaper_main, d) != 0)
		BUG("cannot start the connection reaper");
	return d;
}

void deadlines_stop(struct deadlines *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->reaper, NULL);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct conn_clock *deadlines_open(struct deadlines *d, int fd, const char *ip)
{
	struct conn_clock *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	snprintf(c->ip, sizeof(c->ip), "%s", ip);
	c->phase = PHASE_HEADERS;
	c->until = clock_usec() + d->header_us;
	pthread_mutex_lock(&d->lock);
	c->next = d->head;
	if (d->head)
		d->head->prev = c;
	d->head = c;
	pthread_mutex_unlock(&d->lock);
	return c;
}

void deadlines_close(struct deadlines *d, struct conn_clock *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
}

void deadlines_headers_done(struct deadlines *d, struct conn_clock *c)
{
	if (c)
		set_phase(d, c, PHASE_BODY, d->body_us);
}

void deadlines_body_done(struct deadlines *d, struct conn_clock *c)
{
	if (c)
		set_phase(d, c, PHASE_HANDLER, 0);
}

void deadlines_answered(struct deadlines *d, struct conn_clock *c)
{
	if (c)
		set_phase(d, c, PHASE_HEADERS, d->header_us);
}
