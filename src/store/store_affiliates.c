/* Affiliates, their coupon codes, and clicks (declared in store_programs.h). */
#include "store/store_internal.h"
#include "store/store_programs.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AFFILIATE_COLUMNS                                                  \
	"id, shop_id, program_id, name, email, status, code, customer_id," \
	" created_at"

static void read_affiliate(sqlite3_stmt *s, struct affiliate *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->shop_id = sqlite3_column_int64(s, 1);
	a->program_id = sqlite3_column_int64(s, 2);
	a->name = column_strdup(s, 3);
	a->email = column_strdup(s, 4);
	affiliate_status_parse((const char *)sqlite3_column_text(s, 5),
			       &a->status);
	a->code = column_strdup(s, 6);
	a->customer_id = column_strdup_null(s, 7);
	a->created_at = sqlite3_column_int64(s, 8);
}

static int coupons_read(struct store_tx *tx, struct affiliate *a,
			struct buf *err)
{
	static const char sql[] = "SELECT code FROM affiliate_codes"
				  " WHERE affiliate_id = ? ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, a->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a->coupons = xrealloc(a->coupons,
				      (a->ncoupons + 1) * sizeof(*a->coupons));
		a->coupons[a->ncoupons++] = column_strdup(s, 0);
	}
	rc = step_end(tx->conn, rc, "reading codes", err);
	sqlite3_reset(s);
	return rc;
}

/* One affiliate from a query already bound: 1, 0 or -1. */
static int one_affiliate(struct store_tx *tx, sqlite3_stmt *s,
			 struct affiliate *out, struct buf *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		read_affiliate(s, out);
		sqlite3_reset(s);
		if (coupons_read(tx, out, err) < 0) {
			affiliate_release(out);
			return -1;
		}
		return 1;
	}
	rc = step_end(tx->conn, rc, "reading affiliate", err);
	sqlite3_reset(s);
	return rc;
}

int store_code_taken(struct store_tx *tx, int64_t shop_id, const char *code,
		     struct buf *err)
{
	static const char sql[] =
		"SELECT 1 FROM affiliates WHERE shop_id = ?1 AND code = ?2"
		" UNION ALL SELECT 1 FROM affiliate_codes"
		" WHERE shop_id = ?1 AND code = ?2";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, code);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_ROW ? 1
			      : step_end(tx->conn, rc, "checking a code", err);
	sqlite3_reset(s);
	return rc;
}

int store_affiliate_add_coupon(struct store_tx *tx, int64_t shop_id,
			       int64_t affiliate_id, const char *code,
			       struct buf *err)
{
	static const char sql[] = "INSERT INTO affiliate_codes (shop_id,"
				  " affiliate_id, code) VALUES (?, ?, ?)";
	sqlite3_stmt *s;
	int rc = store_code_taken(tx, shop_id, code, err);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		errorf(err, "code '%s' is already taken in this shop", code);
		return STORE_DUPLICATE_CODE;
	}
	s = tx_stmt(tx, sql, err);
	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_int(s, 2, affiliate_id);
	bind_text(s, 3, code);
	return step_done(tx->conn, s, "saving a code", err);
}

static int check_unique(struct store_tx *tx, const struct affiliate *a,
			struct buf *err)
{
	struct affiliate other;
	size_t i;
	int rc;

	rc = store_affiliate_by_email(tx, a->shop_id, a->email, &other, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		errorf(err, "email '%s' already belongs to affiliate %lld",
		       a->email, (long long)other.id);
		affiliate_release(&other);
		return STORE_DUPLICATE_EMAIL;
	}
	for (i = 0; i <= a->ncoupons; i++) {
		const char *code = i == 0 ? a->code : a->coupons[i - 1];

		rc = store_code_taken(tx, a->shop_id, code, err);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			errorf(err, "code '%s' is already taken in this shop",
			       code);
			return STORE_DUPLICATE_CODE;
		}
	}
	return 0;
}

int store_affiliate_add(struct store_tx *tx, const struct affiliate *a,
			const char *password_hash, int64_t *id, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO affiliates (shop_id, program_id, name, email,"
		" password_hash, status, code, customer_id, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s;
	size_t i;
	int rc = check_unique(tx, a, err);

	if (rc < 0)
		return rc;
	s = tx_stmt(tx, sql, err);
	if (!s)
		return -1;
	bind_int(s, 1, a->shop_id);
	bind_int(s, 2, a->program_id);
	bind_text(s, 3, a->name);
	bind_text(s, 4, a->email);
	bind_text(s, 5, password_hash);
	bind_text(s, 6, affiliate_status_str(a->status));
	bind_text(s, 7, a->code);
	bind_text(s, 8, a->customer_id);
	bind_int(s, 9, clock_now());
	rc = step_done(tx->conn, s, "saving the affiliate", err);
	if (rc == STORE_DUPLICATE)
		return errorf(err, "affiliate email or code already taken");
	if (rc < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(tx->conn->db);
	for (i = 0; i < a->ncoupons; i++) {
		rc = store_affiliate_add_coupon(tx, a->shop_id, *id,
						a->coupons[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_affiliate_get(struct store_tx *tx, int64_t id, struct affiliate *out,
			struct buf *err)
{
	static const char sql[] =
		"SELECT " AFFILIATE_COLUMNS " FROM affiliates WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	return one_affiliate(tx, s, out, err);
}

int store_affiliate_by_code(struct store_tx *tx, int64_t shop_id,
			    const char *code, struct affiliate *out,
			    bool *is_coupon, struct buf *err)
{
	static const char sql[] =
		"SELECT " AFFILIATE_COLUMNS ", 0 FROM affiliates"
		" WHERE shop_id = ?1 AND code = ?2 UNION ALL"
		" SELECT a.id, a.shop_id, a.program_id, a.name, a.email,"
		" a.status, a.code, a.customer_id, a.created_at, 1"
		" FROM affiliate_codes c JOIN affiliates a"
		" ON a.id = c.affiliate_id WHERE c.shop_id = ?1 AND c.code = ?2"
		" LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, code);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*is_coupon = sqlite3_column_int(s, 9) != 0;
		read_affiliate(s, out);
		sqlite3_reset(s);
		if (coupons_read(tx, out, err) < 0) {
			affiliate_release(out);
			return -1;
		}
		return 1;
	}
	rc = step_end(tx->conn, rc, "finding code", err);
	sqlite3_reset(s);
	return rc;
}

int store_affiliate_by_email(struct store_tx *tx, int64_t shop_id,
			     const char *email, struct affiliate *out,
			     struct buf *err)
{
	static const char sql[] =
		"SELECT " AFFILIATE_COLUMNS " FROM affiliates WHERE shop_id = ?"
		" AND email = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, email);
	return one_affiliate(tx, s, out, err);
}

int store_affiliate_password(struct store_tx *tx, int64_t id, struct buf *out,
			     struct buf *err)
{
	static const char sql[] = "SELECT password_hash FROM affiliates"
				  " WHERE id = ? AND password_hash IS NOT NULL";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = buf_puts(out, (const char *)sqlite3_column_text(s, 0)) < 0
			     ? -1
			     : 1;
	else
		rc = step_end(tx->conn, rc, "reading password", err);
	sqlite3_reset(s);
	return rc;
}

int store_affiliate_set_status(struct store_tx *tx, int64_t id,
			       enum affiliate_status status, struct buf *err)
{
	static const char sql[] =
		"UPDATE affiliates SET status = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, affiliate_status_str(status));
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "updating the affiliate", err);
}

int store_affiliate_each(struct store_tx *tx, int64_t shop_id,
			 int64_t program_id,
			 int (*fn)(void *ctx, const struct affiliate *a),
			 void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT id FROM affiliates"
		" WHERE (?1 = 0 OR shop_id = ?1)"
		" AND (?2 = 0 OR program_id = ?2) ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_int(s, 2, program_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	rc = step_end(tx->conn, rc, "listing", err);
	sqlite3_reset(s);
	for (i = 0; rc == 0 && i < n; i++) {
		struct affiliate a;

		if (store_affiliate_get(tx, ids[i], &a, err) != 1) {
			rc = -1;
			break;
		}
		rc = fn(ctx, &a) ? 1 : 0;
		affiliate_release(&a);
	}
	free(ids);
	return rc < 0 ? -1 : 0;
}

int store_click_add(struct store_tx *tx, const struct click *c, int64_t *id,
		    struct buf *err)
{
	static const char sql[] = "INSERT INTO clicks (shop_id, affiliate_id, "
				  "program_id, network,"
				  " ip_hash, user_agent, visitor, created_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, c->shop_id);
	bind_int(s, 2, c->affiliate_id);
	bind_int(s, 3, c->program_id);
	bind_text(s, 4, c->network);
	bind_text(s, 5, c->ip_hash);
	bind_text(s, 6, c->user_agent ? c->user_agent : "");
	bind_text(s, 7, c->visitor);
	bind_int(s, 8, c->created_at ? c->created_at : clock_now());
	if (step_done(tx->conn, s, "saving the click", err) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(tx->conn->db);
	return 0;
}

#define CLICK_COLUMNS                                                       \
	"id, shop_id, affiliate_id, program_id, network, ip_hash, visitor," \
	" created_at"

static void copy_text(char *out, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

static int one_click(struct store_tx *tx, sqlite3_stmt *s, struct click *out,
		     struct buf *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(s, 0);
		out->shop_id = sqlite3_column_int64(s, 1);
		out->affiliate_id = sqlite3_column_int64(s, 2);
		out->program_id = sqlite3_column_int64(s, 3);
		copy_text(out->network, sizeof(out->network), s, 4);
		copy_text(out->ip_hash, sizeof(out->ip_hash), s, 5);
		copy_text(out->visitor, sizeof(out->visitor), s, 6);
		out->created_at = sqlite3_column_int64(s, 7);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "reading clicks", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_click_get(struct store_tx *tx, int64_t id, struct click *out,
		    struct buf *err)
{
	static const char sql[] =
		"SELECT " CLICK_COLUMNS " FROM clicks WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	return one_click(tx, s, out, err);
}

int store_click_latest_by_ip(struct store_tx *tx, int64_t shop_id,
			     const char *ip_hash, int64_t since,
			     struct click *out, struct buf *err)
{
	static const char sql[] =
		"SELECT " CLICK_COLUMNS " FROM clicks WHERE shop_id = ?"
		" AND ip_hash = ? AND created_at >= ?"
		" ORDER BY created_at DESC, id DESC LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, ip_hash);
	bind_int(s, 3, since);
	return one_click(tx, s, out, err);
}

int store_click_latest_for(struct store_tx *tx, int64_t affiliate_id,
			   const char *ip_hash, int64_t since,
			   struct click *out, struct buf *err)
{
	static const char sql[] =
		"SELECT " CLICK_COLUMNS " FROM clicks WHERE affiliate_id = ?"
		" AND ip_hash = ? AND created_at >= ?"
		" ORDER BY created_at DESC, id DESC LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	bind_text(s, 2, ip_hash);
	bind_int(s, 3, since);
	return one_click(tx, s, out, err);
}
