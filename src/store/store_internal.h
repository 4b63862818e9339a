/* Shared by the files of src/store/ only: connections and statements. */
#ifndef AFFILIATED_STORE_INTERNAL_H
#define AFFILIATED_STORE_INTERNAL_H

#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

enum { STORE_STMT_SLOTS = 256, STORE_READERS = 4 };

/* How the last write went (store_health.c); guarded by its lock. */
struct store_health {
	pthread_mutex_t lock;
	bool failing;
	char reason[256];
	int64_t probed_at; /* seconds; the last probe while failing */
};

struct store_conn {
	sqlite3 *db;
	pthread_mutex_t lock;
	struct store_health *health; /* the writer's only: writes noted */
	/* Prepared statements, keyed by the address of their SQL text. */
	const char *keys[STORE_STMT_SLOTS];
	sqlite3_stmt *stmts[STORE_STMT_SLOTS];
};

struct store {
	char *path;
	struct store_health health;
	struct store_conn writer;
	struct store_conn readers[STORE_READERS];
	int nreaders;
	unsigned next_reader;
};

struct store_tx {
	struct store *st;
	struct store_conn *conn;
	bool readonly;
};

/*
 * The cached, reset statement for sql (a static string: its address is
 * the key). NULL with err set when it does not prepare.
 */
sqlite3_stmt *conn_stmt(struct store_conn *c, const char *sql, struct buf *err);
/* A reader connection, locked; give it back with store_reader_put(). */
struct store_conn *store_reader_get(struct store *st);
void store_reader_put(struct store_conn *c);

/*
 * Steps a statement that returns no rows and resets it. Returns 0, -1
 * with err set, or STORE_DUPLICATE (and no err) when a UNIQUE constraint
 * refused the row.
 */
enum { STORE_DUPLICATE = -2 };
int step_done(struct store_conn *c, sqlite3_stmt *s, const char *what,
	      struct buf *err);
/* The statement for sql on the transaction's connection. */
sqlite3_stmt *tx_stmt(struct store_tx *tx, const char *sql, struct buf *err);

/* Runs SQL without results (migrations, pragmas). */
int conn_exec(struct store_conn *c, const char *sql, struct buf *err);
/* Formats the connection's last error into err; returns -1. */
int conn_error(struct store_conn *c, const char *what, struct buf *err);
/*
 * The end of a step loop or a single step: 0 when rc is SQLITE_DONE,
 * else the connection's error about what (conn_error).
 */
static inline int step_end(struct store_conn *c, int rc, const char *what,
			   struct buf *err)
{
	return rc == SQLITE_DONE ? 0 : conn_error(c, what, err);
}

/* store_health.c: a write on the writer that failed for the storage's
 * sake (full, I/O, read-only, locked, corrupt) marks writes failing; a
 * commit marks them working again. Other connections are ignored. */
void health_init(struct store_health *h);
void health_release(struct store_health *h);
void health_failed(struct store_conn *c);
void health_committed(struct store_conn *c);

/* Binding helpers that accept NULL for SQL NULL. */
void bind_text(sqlite3_stmt *s, int i, const char *v);
void bind_int(sqlite3_stmt *s, int i, int64_t v);
void bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n);
/* Column text copied with xstrdup ("" for NULL). */
char *column_strdup(sqlite3_stmt *s, int i);
/* Column text or NULL when the column is NULL, copied. */
char *column_strdup_null(sqlite3_stmt *s, int i);

/* Migration steps, in migrations.c. */
int migrations_count(void);
const char *migration_sql(int version);

#endif
