/*
 * Counters, gauges and the request-latency histogram, rendered in the
 * Prometheus text format by GET /metrics. Any module adds its own series
 * with metrics_counter() or metrics_gauge(); they live until metrics_free().
 */
#ifndef AFFILIATED_METRICS_H
#define AFFILIATED_METRICS_H

#include "util/buf.h"

#include <stdint.h>

struct metric;

/*
 * The counter named name{labels} (labels in Prometheus syntax without
 * braces, e.g. "route=\"/healthz\",status=\"200\"", or ""), created on
 * first use. Safe from any thread; the pointer stays valid.
 */
struct metric *metrics_counter(const char *name, const char *help,
			       const char *labels);
void metrics_add(struct metric *m, uint64_t n);
void metrics_inc(struct metric *m);
uint64_t metrics_value(const struct metric *m);

/* A gauge whose value is read by fn(ctx) at render time. */
void metrics_gauge(const char *name, const char *help, const char *labels,
		   int64_t (*fn)(void *ctx), void *ctx);

/* Counts a served request and its latency. */
void metrics_observe_request(const char *route, int status, uint64_t usec);

int metrics_render(struct buf *out) WARN_UNUSED_RESULT;
/* Forgets every series (tests, shutdown). */
void metrics_free(void);

#endif
