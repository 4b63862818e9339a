/*
 * Whether writes work, as the last write found. /healthz answers from
 * this, so that a load balancer stops sending webhooks we would answer
 * 503 anyway. While writes fail, /healthz probes with a one-row write at
 * most once a second, so that the daemon reports itself well again once
 * the disk has room, even when nothing else is sent to it.
 */
#include "store/store_internal.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

#define PROBE_INTERVAL 1 /* seconds */

void health_init(struct store_health *h)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
}

void health_release(struct store_health *h)
{
	pthread_mutex_destroy(&h->lock);
}

/*
 * The storage's own failures. A constraint, a bad statement or a
 * trigger's refusal is that write's fault, not the store's.
 */
static bool storage_code(int code)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PERM:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOLFS:
	case SQLITE_PROTOCOL:
		return true;
	default:
		return false;
	}
}

void health_failed(struct store_conn *c)
{
	struct store_health *h = c->health;
	bool first;

	if (!h || !storage_code(sqlite3_extended_errcode(c->db)))
		return;
	pthread_mutex_lock(&h->lock);
	first = !h->failing;
	h->failing = true;
	snprintf(h->reason, sizeof(h->reason), "%s", sqlite3_errmsg(c->db));
	pthread_mutex_unlock(&h->lock);
	if (first)
		log_error("store.writes_failing", "error=\"%s\"", h->reason);
}

void health_committed(struct store_conn *c)
{
	struct store_health *h = c->health;
	bool was;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	was = h->failing;
	h->failing = false;
	pthread_mutex_unlock(&h->lock);
	if (was)
		log_info("store.writes_working", "%s", "again");
}

/* A write of one row, committed: what every request's write needs. */
static int probe(struct store *st, int64_t now, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO health (id, probed_at) VALUES (1, ?)"
		" ON CONFLICT (id) DO UPDATE SET probed_at = "
		"excluded.probed_at";
	struct store_tx *tx;
	sqlite3_stmt *s;

	if (store_tx_begin(st, &tx, err) < 0)
		return -1;
	s = tx_stmt(tx, sql, err);
	if (!s) {
		store_tx_rollback(tx);
		return -1;
	}
	bind_int(s, 1, now);
	if (step_done(tx->conn, s, "probing a write", err) < 0) {
		store_tx_rollback(tx);
		return -1;
	}
	return store_tx_commit(tx, err);
}

int store_write_health(struct store *st, int64_t now, struct buf *reason)
{
	struct store_health *h = &st->health;
	bool failing, due;

	pthread_mutex_lock(&h->lock);
	failing = h->failing;
	due = failing && now - h->probed_at >= PROBE_INTERVAL;
	if (due)
		h->probed_at = now;
	pthread_mutex_unlock(&h->lock);
	if (due && probe(st, now, NULL) == 0)
		return 0;
	if (!failing)
		return 0;
	pthread_mutex_lock(&h->lock);
	failing = h->failing;
	if (failing)
		errorf(reason, "%s", h->reason);
	pthread_mutex_unlock(&h->lock);
	return failing ? -1 : 0;
}
