/*
 * Sign-in state of the pages: sessions of merchants and affiliates (kept
 * by the SHA-256 of their cookie value, never the value itself), the
 * single-use sign-in links of `affiliated admin-link`, and sign-in
 * attempts counted for rate limits.
 */
#ifndef AFFILIATED_STORE_SESSIONS_H
#define AFFILIATED_STORE_SESSIONS_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

enum session_kind { SESSION_MERCHANT, SESSION_AFFILIATE };

struct session_row {
	char id_hash[65]; /* hex SHA-256 of the cookie value */
	enum session_kind kind;
	int64_t shop_id;
	int64_t affiliate_id; /* 0 for a merchant */
	char csrf[64];	      /* the token every form of the session carries */
	int64_t created_at;
	int64_t expires_at;
};

int store_session_add(struct store_tx *tx, const struct session_row *s,
		      struct buf *err);
/* 1 found and still valid at now (out filled), 0 none or expired, -1. */
int store_session_get(struct store_tx *tx, const char *id_hash, int64_t now,
		      struct session_row *out, struct buf *err);
int store_session_delete(struct store_tx *tx, const char *id_hash,
			 struct buf *err);
/* Forgets sessions and attempts that ended before now. */
int store_session_prune(struct store_tx *tx, int64_t now, struct buf *err);

int store_signin_link_add(struct store_tx *tx, const char *token_hash,
			  int64_t shop_id, int64_t expires_at, struct buf *err);
/*
 * A sign-in link still usable at now: 1 (and *shop_id), 0 unknown, used
 * or expired. With consume, marks it used in the same step.
 */
int store_signin_link_check(struct store_tx *tx, const char *token_hash,
			    int64_t now, bool consume, int64_t *shop_id,
			    struct buf *err);

/* Records one attempt under key (e.g. "ip:<pseudonym>") at now. */
int store_attempt_add(struct store_tx *tx, const char *key, int64_t now,
		      struct buf *err);
/* Attempts under key since a time. */
int store_attempt_count(struct store_tx *tx, const char *key, int64_t since,
			int64_t *count, struct buf *err);

#endif
