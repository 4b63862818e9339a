#include "store/store_internal.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a connection waits for a lock held by another one. */
#define BUSY_TIMEOUT_MS 10000

int conn_error(struct store_conn *c, const char *what, struct buf *err)
{
	int code = sqlite3_extended_errcode(c->db);

	health_failed(c);
	if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT)
		return errorf(err,
			      "%s: the database is corrupt or not a SQLite "
			      "database (%s)",
			      what, sqlite3_errmsg(c->db));
	return errorf(err, "%s: %s", what, sqlite3_errmsg(c->db));
}

/* One address each: the statement cache is keyed by the text's address. */
static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_BEGIN_IMMEDIATE[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT item";
static const char SQL_RELEASE[] = "RELEASE item";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO item";

int conn_exec(struct store_conn *c, const char *sql, struct buf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		health_failed(c);
		errorf(err, "%s", msg ? msg : sqlite3_errmsg(c->db));
		if ((sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_NOTADB)
			conn_error(c, "query", err);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Runs one statement kept prepared: for the transaction statements that
 * every request runs, which sqlite3_exec() would parse every time.
 */
static int conn_run(struct store_conn *c, const char *sql, struct buf *err)
{
	sqlite3_stmt *s = conn_stmt(c, sql, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		health_failed(c);
		errorf(err, "%s", sqlite3_errmsg(c->db));
		if ((sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_NOTADB)
			conn_error(c, "query", err);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

static size_t slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 24) % STORE_STMT_SLOTS;
}

sqlite3_stmt *conn_stmt(struct store_conn *c, const char *sql, struct buf *err)
{
	size_t i = slot_of(sql), n;

	for (n = 0; n < STORE_STMT_SLOTS; n++, i = (i + 1) % STORE_STMT_SLOTS) {
		if (c->keys[i] == sql) {
			sqlite3_reset(c->stmts[i]);
			sqlite3_clear_bindings(c->stmts[i]);
			return c->stmts[i];
		}
		if (!c->keys[i])
			break;
	}
	if (n == STORE_STMT_SLOTS)
		BUG("statement cache full: raise STORE_STMT_SLOTS");
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &c->stmts[i], NULL) != SQLITE_OK) {
		conn_error(c, "prepare", err);
		return NULL;
	}
	c->keys[i] = sql;
	return c->stmts[i];
}

void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

void bind_int(sqlite3_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s, i, v);
}

void bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(s, i, n ? p : "", n, SQLITE_TRANSIENT);
}

char *column_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return xstrdup(t ? (const char *)t : "");
}

char *column_strdup_null(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return column_strdup(s, i);
}

static void conn_close(struct store_conn *c)
{
	int i;

	for (i = 0; i < STORE_STMT_SLOTS; i++)
		if (c->keys[i])
			sqlite3_finalize(c->stmts[i]);
	if (c->db)
		sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}

static int conn_open(struct store_conn *c, const char *path, int flags,
		     struct buf *err)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	if (sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		errorf(err, "cannot open database '%s': %s", path,
		       c->db ? sqlite3_errmsg(c->db) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(c->db, 1);
	return conn_exec(c, "PRAGMA foreign_keys=ON", err);
}

/*
 * Before creating anything: a missing database in a directory we cannot
 * write is reported as such, not as SQLite's generic "unable to open".
 */
static int check_directory(const char *path, struct buf *err)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	int rc = 0;

	if (access(path, F_OK) != 0 && access(dir, W_OK) != 0)
		rc = errorf(err,
			    "cannot create database '%s': directory '%s' is "
			    "not writable: %s",
			    path, dir, strerror(errno));
	free(copy);
	return rc;
}

static int writer_setup(struct store *st, bool readonly, struct buf *err)
{
	/*
	 * WAL lets readers run beside the writer. Checkpoints are taken by
	 * store_checkpoint() from a housekeeping thread, never inside a
	 * request's commit. synchronous=FULL: a commit that returned is on
	 * disk, which is what "stored before we answer 200" means.
	 */
	if (readonly)
		return conn_exec(&st->writer,
				 "SELECT count(*) FROM sqlite_master", err);
	/*
	 * 8 KiB pages hold a whole webhook delivery (about 5 KB) without
	 * overflow pages: half the WAL writes per stored delivery. It takes
	 * effect only on a new file, before WAL mode.
	 */
	/*
	 * The writer keeps 4 MiB of pages (SQLite's default is 2): the
	 * pipeline reads the same affiliates, programs and recent orders
	 * over and over, and a miss is a pread. Readers keep 1 MiB each:
	 * they look up one shop, code or page at a time, and the caches
	 * together are most of the daemon's resident memory under load.
	 * No memory map: mapped pages count as resident memory.
	 */
	return conn_exec(&st->writer,
			 "PRAGMA cache_size=-4096;"
			 "PRAGMA page_size=8192;"
			 "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=FULL;"
			 "PRAGMA wal_autocheckpoint=0;",
			 err);
}

static int readers_open(struct store *st, struct buf *err)
{
	int i;

	/*
	 * Readers open read-write with query_only set: a read-only
	 * connection cannot take a WAL read mark of its own, and spins when
	 * another process has reset the WAL.
	 */
	for (i = 0; i < STORE_READERS; i++) {
		if (conn_open(&st->readers[i], st->path, SQLITE_OPEN_READWRITE,
			      err) < 0 ||
		    conn_exec(&st->readers[i],
			      "PRAGMA query_only=1; PRAGMA cache_size=-1024",
			      err) < 0)
			return -1;
		st->nreaders++;
	}
	return 0;
}

static int schema_check(struct store *st, unsigned flags, struct buf *err)
{
	int version, applied;

	if (store_schema_version(st, &version, err) < 0)
		return -1;
	if (version > store_schema_latest())
		return errorf(err,
			      "database '%s' has schema version %d, newer than "
			      "this binary (%d): upgrade affiliated",
			      st->path, version, store_schema_latest());
	if (flags & STORE_MIGRATE)
		return store_migrate(st, &applied, err);
	if (version < store_schema_latest() && !(flags & STORE_OLD_OK))
		return errorf(
			err,
			"database '%s' has schema version %d, this binary "
			"needs %d: run 'affiliated migrate'",
			st->path, version, store_schema_latest());
	return 0;
}

struct store *store_open(const char *path, unsigned flags, struct buf *err)
{
	struct store *st = xcalloc(1, sizeof(*st));
	bool ro = flags & STORE_READONLY;
	int oflags = ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

	st->path = xstrdup(path);
	health_init(&st->health);
	if ((flags & STORE_CREATE) && !ro) {
		if (check_directory(path, err) < 0)
			goto fail;
		oflags |= SQLITE_OPEN_CREATE;
	} else if (access(path, F_OK) != 0) {
		errorf(err, "database '%s' does not exist", path);
		goto fail;
	}
	if (conn_open(&st->writer, path, oflags, err) < 0)
		goto fail;
	st->writer.health = &st->health;
	if (writer_setup(st, ro, err) < 0 || schema_check(st, flags, err) < 0 ||
	    readers_open(st, err) < 0)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < st->nreaders; i++)
		conn_close(&st->readers[i]);
	if (st->writer.db) {
		/*
		 * Fold what we can of the WAL back; PASSIVE, because another
		 * process (the daemon, a command) may be using the file.
		 */
		sqlite3_wal_checkpoint_v2(st->writer.db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
	}
	conn_close(&st->writer);
	health_release(&st->health);
	free(st->path);
	free(st);
}

struct store_conn *store_reader_get(struct store *st)
{
	unsigned start =
		__atomic_fetch_add(&st->next_reader, 1, __ATOMIC_RELAXED);
	int i;

	for (i = 0; i < st->nreaders; i++) {
		struct store_conn *c = &st->readers[(start + (unsigned)i) %
						    (unsigned)st->nreaders];

		if (pthread_mutex_trylock(&c->lock) == 0)
			return c;
	}
	pthread_mutex_lock(&st->readers[start % (unsigned)st->nreaders].lock);
	return &st->readers[start % (unsigned)st->nreaders];
}

void store_reader_put(struct store_conn *c)
{
	pthread_mutex_unlock(&c->lock);
}

int store_ping(struct store *st, struct buf *err)
{
	struct store_conn *c = store_reader_get(st);
	static const char sql[] = "SELECT 1";
	sqlite3_stmt *s = conn_stmt(c, sql, err);
	int rc = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		rc = 0;
	else if (s)
		conn_error(c, "ping", err);
	if (s)
		sqlite3_reset(s);
	store_reader_put(c);
	return rc;
}

int store_checkpoint(struct store *st, int *left)
{
	struct store_conn *c = store_reader_get(st);
	int rc, frames = 0, copied = 0;

	/* PASSIVE never waits for the writer or readers. */
	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				       &frames, &copied);
	store_reader_put(c);
	if (left)
		*left = rc == SQLITE_OK && frames >= copied ? frames - copied
							    : -1;
	return rc == SQLITE_OK ? 0 : -1;
}

int step_done(struct store_conn *c, sqlite3_stmt *s, const char *what,
	      struct buf *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(s);
		return 0;
	}
	rc = sqlite3_extended_errcode(c->db);
	if (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		sqlite3_reset(s);
		return STORE_DUPLICATE;
	}
	conn_error(c, what, err);
	sqlite3_reset(s);
	return -1;
}

sqlite3_stmt *tx_stmt(struct store_tx *tx, const char *sql, struct buf *err)
{
	return conn_stmt(tx->conn, sql, err);
}

static int tx_open(struct store *st, struct store_conn *c, bool readonly,
		   struct store_tx **tx, struct buf *err)
{
	struct store_tx *t;

	if (conn_run(c, readonly ? SQL_BEGIN : SQL_BEGIN_IMMEDIATE, err) < 0) {
		pthread_mutex_unlock(&c->lock);
		return -1;
	}
	t = xmalloc(sizeof(*t));
	t->st = st;
	t->conn = c;
	t->readonly = readonly;
	*tx = t;
	return 0;
}

int store_tx_begin(struct store *st, struct store_tx **tx, struct buf *err)
{
	pthread_mutex_lock(&st->writer.lock);
	return tx_open(st, &st->writer, false, tx, err);
}

int store_read_begin(struct store *st, struct store_tx **tx, struct buf *err)
{
	return tx_open(st, store_reader_get(st), true, tx, err);
}

int store_tx_commit(struct store_tx *tx, struct buf *err)
{
	struct store_conn *c = tx->conn;
	int rc = 0;

	if (conn_run(c, SQL_COMMIT, err) < 0) {
		conn_run(c, SQL_ROLLBACK, NULL);
		rc = -1;
	} else if (!tx->readonly) {
		health_committed(c);
	}
	free(tx);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int store_tx_finish(struct store_tx **tx, struct buf *err)
{
	struct store_tx *t = *tx;

	*tx = NULL;
	return store_tx_commit(t, err);
}

void store_tx_abandon(struct store_tx **tx)
{
	store_tx_rollback(*tx);
	*tx = NULL;
}

void store_tx_rollback(struct store_tx *tx)
{
	struct store_conn *c;

	if (!tx)
		return;
	c = tx->conn;
	conn_run(c, SQL_ROLLBACK, NULL);
	free(tx);
	pthread_mutex_unlock(&c->lock);
}

int store_savepoint(struct store_tx *tx, struct buf *err)
{
	return conn_run(tx->conn, SQL_SAVEPOINT, err);
}

int store_savepoint_release(struct store_tx *tx, struct buf *err)
{
	return conn_run(tx->conn, SQL_RELEASE, err);
}

void store_savepoint_rollback(struct store_tx *tx)
{
	if (conn_run(tx->conn, SQL_ROLLBACK_TO, NULL) == 0)
		conn_run(tx->conn, SQL_RELEASE, NULL);
}
