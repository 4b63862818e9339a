#include "util/metrics.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE };

struct metric {
	enum metric_kind kind;
	char *name;
	char *help;
	char *labels;
	_Atomic uint64_t value;
	int64_t (*fn)(void *ctx);
	void *ctx;
	struct metric *_Atomic next;
};

/* Bucket bounds in microseconds, printed as seconds. */
static const struct {
	uint64_t usec;
	const char *le;
} buckets[] = {
	{100, "0.0001"},  {250, "0.00025"}, {500, "0.0005"},  {1000, "0.001"},
	{2500, "0.0025"}, {5000, "0.005"},  {10000, "0.01"},  {25000, "0.025"},
	{50000, "0.05"},  {100000, "0.1"},  {250000, "0.25"}, {500000, "0.5"},
	{1000000, "1"},	  {2500000, "2.5"}, {5000000, "5"},
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

/*
 * The series list only grows (until metrics_free at shutdown): lookups
 * walk it without the lock, appends take the lock and publish the new
 * node with a release store, so a hot path never waits for another.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct metric *_Atomic series;
static _Atomic uint64_t latency_count[NBUCKETS + 1];
static _Atomic uint64_t latency_sum_usec;
static _Atomic uint64_t latency_total;

static struct metric *find(const char *name, const char *labels)
{
	struct metric *m;

	for (m = atomic_load_explicit(&series, memory_order_acquire); m;
	     m = atomic_load_explicit(&m->next, memory_order_acquire))
		if (strcmp(m->name, name) == 0 &&
		    strcmp(m->labels, labels) == 0)
			return m;
	return NULL;
}

static struct metric *metric_new(enum metric_kind kind, const char *name,
				 const char *help, const char *labels)
{
	struct metric *m = xcalloc(1, sizeof(*m));
	struct metric *_Atomic *tail = &series;

	m->kind = kind;
	m->name = xstrdup(name);
	m->help = xstrdup(help);
	m->labels = xstrdup(labels);
	while (atomic_load_explicit(tail, memory_order_acquire))
		tail = &atomic_load_explicit(tail, memory_order_acquire)->next;
	atomic_store_explicit(tail, m, memory_order_release);
	return m;
}

struct metric *metrics_counter(const char *name, const char *help,
			       const char *labels)
{
	struct metric *m = find(name, labels);

	if (m)
		return m;
	pthread_mutex_lock(&lock);
	m = find(name, labels);
	if (!m)
		m = metric_new(METRIC_COUNTER, name, help, labels);
	pthread_mutex_unlock(&lock);
	return m;
}

void metrics_add(struct metric *m, uint64_t n)
{
	atomic_fetch_add(&m->value, n);
}

void metrics_inc(struct metric *m)
{
	metrics_add(m, 1);
}

uint64_t metrics_value(const struct metric *m)
{
	return atomic_load(&m->value);
}

void metrics_gauge(const char *name, const char *help, const char *labels,
		   int64_t (*fn)(void *ctx), void *ctx)
{
	struct metric *m;

	pthread_mutex_lock(&lock);
	m = find(name, labels);
	if (!m)
		m = metric_new(METRIC_GAUGE, name, help, labels);
	m->fn = fn;
	m->ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void metrics_observe_request(const char *route, int status, uint64_t usec)
{
	char labels[256];
	size_t i;

	snprintf(labels, sizeof(labels), "route=\"%s\",status=\"%d\"", route,
		 status);
	metrics_inc(metrics_counter("affiliated_http_requests_total",
				    "HTTP requests served, by route and status",
				    labels));
	for (i = 0; i < NBUCKETS && usec > buckets[i].usec; i++)
		;
	atomic_fetch_add(&latency_count[i], 1);
	atomic_fetch_add(&latency_sum_usec, usec);
	atomic_fetch_add(&latency_total, 1);
}

static bool name_seen_before(const struct metric *stop, const char *name)
{
	const struct metric *m;

	for (m = series; m != stop; m = m->next)
		if (strcmp(m->name, name) == 0)
			return true;
	return false;
}

static int render_one(struct buf *out, const struct metric *m)
{
	if (buf_printf(out, "%s%s%s%s ", m->name, m->labels[0] ? "{" : "",
		       m->labels, m->labels[0] ? "}" : "") < 0)
		return -1;
	if (m->kind == METRIC_COUNTER)
		return buf_printf(out, "%llu\n",
				  (unsigned long long)metrics_value(m));
	return buf_printf(out, "%lld\n", (long long)m->fn(m->ctx));
}

/* A family's series must be contiguous, whatever order they were made in. */
static int render_series(struct buf *out)
{
	const struct metric *m, *s;

	for (m = series; m; m = m->next) {
		if (name_seen_before(m, m->name))
			continue;
		if (buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name,
			       m->help, m->name,
			       m->kind == METRIC_COUNTER ? "counter"
							 : "gauge") < 0)
			return -1;
		for (s = m; s; s = s->next)
			if (strcmp(s->name, m->name) == 0 &&
			    render_one(out, s) < 0)
				return -1;
	}
	return 0;
}

static int render_histogram(struct buf *out)
{
	static const char name[] = "affiliated_http_request_duration_seconds";
	uint64_t cumulative = 0, sum = atomic_load(&latency_sum_usec);
	size_t i;

	if (buf_printf(out,
		       "# HELP %s Time from request start to response\n"
		       "# TYPE %s histogram\n",
		       name, name) < 0)
		return -1;
	for (i = 0; i < NBUCKETS; i++) {
		cumulative += atomic_load(&latency_count[i]);
		if (buf_printf(out, "%s_bucket{le=\"%s\"} %llu\n", name,
			       buckets[i].le,
			       (unsigned long long)cumulative) < 0)
			return -1;
	}
	cumulative += atomic_load(&latency_count[NBUCKETS]);
	return buf_printf(out,
			  "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %llu.%06llu\n"
			  "%s_count %llu\n",
			  name, (unsigned long long)cumulative, name,
			  (unsigned long long)(sum / 1000000),
			  (unsigned long long)(sum % 1000000), name,
			  (unsigned long long)atomic_load(&latency_total));
}

int metrics_render(struct buf *out)
{
	int rc;

	pthread_mutex_lock(&lock);
	rc = render_series(out);
	pthread_mutex_unlock(&lock);
	if (rc < 0)
		return -1;
	return render_histogram(out);
}

void metrics_free(void)
{
	struct metric *m, *next;
	size_t i;

	pthread_mutex_lock(&lock);
	for (m = series; m; m = next) {
		next = m->next;
		free(m->name);
		free(m->help);
		free(m->labels);
		free(m);
	}
	series = NULL;
	for (i = 0; i <= NBUCKETS; i++)
		atomic_store(&latency_count[i], 0);
	atomic_store(&latency_sum_usec, 0);
	atomic_store(&latency_total, 0);
	pthread_mutex_unlock(&lock);
}
