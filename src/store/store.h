/*
 * Storage: the only module with SQL. SQLite in WAL mode by default, one
 * writer connection (transactions are serialised) and a pool of readers.
 * The interface speaks in domain terms only (no sqlite3 types), so another
 * backend can sit behind it. Each area has its own header:
 * store_shops.h, store_inbox.h, ...
 */
#ifndef AFFILIATED_STORE_H
#define AFFILIATED_STORE_H

#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct store;
struct store_tx;

enum store_open_flags {
	STORE_CREATE = 1 << 0,	/* create the file when absent */
	STORE_MIGRATE = 1 << 1, /* apply pending migrations */
	STORE_READONLY = 1 << 2,
	STORE_OLD_OK = 1 << 3, /* open an older schema without migrating */
};

/*
 * Opens (and, with STORE_MIGRATE, upgrades) the database. Refuses a file
 * that is not a database, is corrupt, or has a schema newer than this
 * binary; err says which. Returns NULL on failure.
 */
struct store *store_open(const char *path, unsigned flags, struct buf *err);
/* Closes every connection; NULL is fine. */
void store_close(struct store *st);

/* Schema version of the file, and the newest this binary knows. */
int store_schema_version(struct store *st, int *version, struct buf *err);
int store_schema_latest(void);
/* Applies pending migrations; *applied gets how many. */
int store_migrate(struct store *st, int *applied, struct buf *err);

/* A trivial query on a reader: for /healthz. */
int store_ping(struct store *st, struct buf *err);
/*
 * 0 when the last write worked (or none failed), -1 with reason while
 * writes fail for the storage's sake (full disk, I/O error, read-only
 * file, lock). While failing, a call probes with a one-row write at most
 * once a second (now in seconds), so recovery shows without traffic.
 */
int store_write_health(struct store *st, int64_t now, struct buf *reason);
/*
 * Moves WAL pages into the database without blocking the writer. *left
 * (may be NULL) gets the WAL frames still to copy after this pass.
 */
int store_checkpoint(struct store *st, int *left);

/*
 * Transactions. store_tx_begin waits for the writer; store_read_begin
 * takes a reader and sees one consistent snapshot. Every store_* call on a
 * tx works for both kinds, except that writes fail on a read tx. Exactly
 * one of commit or rollback ends a tx and frees it. A failed commit rolls
 * back.
 */
int store_tx_begin(struct store *st, struct store_tx **tx, struct buf *err);
int store_read_begin(struct store *st, struct store_tx **tx, struct buf *err);
int store_tx_commit(struct store_tx *tx, struct buf *err);
/* Commits *tx and sets it to NULL, whatever the outcome. */
int store_tx_finish(struct store_tx **tx, struct buf *err);
/* Rolls back *tx when not NULL and sets it to NULL. */
void store_tx_abandon(struct store_tx **tx);
void store_tx_rollback(struct store_tx *tx);

/*
 * Savepoints inside a write transaction: a batch of independent items in
 * one commit, where a failing item is undone alone.
 */
int store_savepoint(struct store_tx *tx, struct buf *err);
int store_savepoint_release(struct store_tx *tx, struct buf *err);
void store_savepoint_rollback(struct store_tx *tx);

#endif
