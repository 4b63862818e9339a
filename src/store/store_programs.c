#include "store/store_internal.h"
#include "store/store_programs.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define PROGRAM_COLUMNS                                                     \
	"id, shop_id, name, kind, landing_url, commission, rate_bps,"       \
	" fixed_amount, reward, reward_value, currency, base, window_days," \
	" credit_on, friend_discount_bps, hold_days, manual_approval,"      \
	" approve_affiliates, min_order, cap, lifetime_days, networks,"     \
	" status, created_at"

static void read_program(sqlite3_stmt *s, struct program *p)
{
	const char *t;

	program_init(p);
	p->id = sqlite3_column_int64(s, 0);
	p->shop_id = sqlite3_column_int64(s, 1);
	p->name = column_strdup(s, 2);
	program_kind_parse((const char *)sqlite3_column_text(s, 3), &p->kind);
	p->landing_url = column_strdup(s, 4);
	t = (const char *)sqlite3_column_text(s, 5);
	p->commission = t && strcmp(t, "fixed") == 0 ? COMMISSION_FIXED
						     : COMMISSION_PERCENT;
	p->rate_bps = sqlite3_column_int64(s, 6);
	p->fixed_amount = sqlite3_column_int64(s, 7);
	reward_kind_parse((const char *)sqlite3_column_text(s, 8), &p->reward);
	p->reward_value = sqlite3_column_int64(s, 9);
	p->currency = column_strdup(s, 10);
	commission_base_parse((const char *)sqlite3_column_text(s, 11),
			      &p->base);
	p->window_days = sqlite3_column_int64(s, 12);
	t = (const char *)sqlite3_column_text(s, 13);
	p->credit_on_paid = !t || strcmp(t, "created") != 0;
	p->friend_discount_bps = sqlite3_column_int64(s, 14);
	p->hold_days = sqlite3_column_int64(s, 15);
	p->manual_approval = sqlite3_column_int(s, 16) != 0;
	p->approve_affiliates = sqlite3_column_int(s, 17) != 0;
	p->min_order = sqlite3_column_int64(s, 18);
	p->cap = sqlite3_column_int64(s, 19);
	p->lifetime_days = sqlite3_column_int64(s, 20);
	p->networks = column_strdup(s, 21);
	t = (const char *)sqlite3_column_text(s, 22);
	p->active = !t || strcmp(t, "paused") != 0;
	p->created_at = sqlite3_column_int64(s, 23);
}

/* Binds the fields shared by insert and update, from index 1. */
static void bind_program(sqlite3_stmt *s, const struct program *p)
{
	bind_int(s, 1, p->shop_id);
	bind_text(s, 2, p->name);
	bind_text(s, 3, program_kind_str(p->kind));
	bind_text(s, 4, p->landing_url ? p->landing_url : "");
	bind_text(s, 5,
		  p->commission == COMMISSION_FIXED ? "fixed" : "percent");
	bind_int(s, 6, p->rate_bps);
	bind_int(s, 7, p->fixed_amount);
	bind_text(s, 8, reward_kind_str(p->reward));
	bind_int(s, 9, p->reward_value);
	bind_text(s, 10, p->currency);
	bind_text(s, 11, commission_base_str(p->base));
	bind_int(s, 12, p->window_days);
	bind_text(s, 13, p->credit_on_paid ? "paid" : "created");
	bind_int(s, 14, p->friend_discount_bps);
	bind_int(s, 15, p->hold_days);
	bind_int(s, 16, p->manual_approval);
	bind_int(s, 17, p->approve_affiliates);
	bind_int(s, 18, p->min_order);
	bind_int(s, 19, p->cap);
	bind_int(s, 20, p->lifetime_days);
	bind_text(s, 21, p->networks ? p->networks : "");
	bind_text(s, 22, p->active ? "active" : "paused");
}

static int rules_write(struct store_tx *tx, const struct program *p, int64_t id,
		       struct buf *err)
{
	static const char del[] =
		"DELETE FROM program_rules WHERE program_id = ?";
	static const char ins[] =
		"INSERT INTO program_rules (program_id, kind, match, threshold,"
		" rate_bps) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, del, err);
	size_t i;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	if (step_done(tx->conn, s, "replacing program rules", err) < 0)
		return -1;
	for (i = 0; i < p->nrules; i++) {
		s = tx_stmt(tx, ins, err);
		if (!s)
			return -1;
		bind_int(s, 1, id);
		bind_text(s, 2, rule_kind_str(p->rules[i].kind));
		bind_text(s, 3, p->rules[i].match);
		bind_int(s, 4, p->rules[i].threshold);
		bind_int(s, 5, p->rules[i].rate_bps);
		if (step_done(tx->conn, s, "saving a program rule", err) < 0)
			return -1;
	}
	return 0;
}

int store_program_add(struct store_tx *tx, const struct program *p, int64_t *id,
		      struct buf *err)
{
	static const char sql[] =
		"INSERT INTO programs (shop_id, name, kind, landing_url,"
		" commission, rate_bps, fixed_amount, reward, reward_value,"
		" currency, base, window_days, credit_on, friend_discount_bps,"
		" hold_days, manual_approval, approve_affiliates, min_order, "
		"cap,"
		" lifetime_days, networks, status, created_at) VALUES (?, ?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_program(s, p);
	bind_int(s, 23, clock_now());
	if (step_done(tx->conn, s, "saving the program", err) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(tx->conn->db);
	return rules_write(tx, p, *id, err);
}

int store_program_update(struct store_tx *tx, const struct program *p,
			 struct buf *err)
{
	static const char sql[] =
		"UPDATE programs SET shop_id = ?, name = ?, kind = ?,"
		" landing_url = ?, commission = ?, rate_bps = ?, fixed_amount "
		"= ?,"
		" reward = ?, reward_value = ?, currency = ?, base = ?,"
		" window_days = ?, credit_on = ?, friend_discount_bps = ?,"
		" hold_days = ?, manual_approval = ?, approve_affiliates = ?,"
		" min_order = ?, cap = ?, lifetime_days = ?, networks = ?,"
		" status = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_program(s, p);
	bind_int(s, 23, p->id);
	if (step_done(tx->conn, s, "updating the program", err) < 0)
		return -1;
	return rules_write(tx, p, p->id, err);
}

static int rules_read(struct store_tx *tx, struct program *p, struct buf *err)
{
	static const char sql[] =
		"SELECT kind, match, threshold, rate_bps FROM program_rules"
		" WHERE program_id = ? ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	enum rule_kind kind;
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, p->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (rule_kind_parse((const char *)sqlite3_column_text(s, 0),
				    &kind) < 0)
			continue;
		program_add_rule(
			p, kind, (const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
	}
	rc = step_end(tx->conn, rc, "reading rules", err);
	sqlite3_reset(s);
	return rc;
}

int store_program_get(struct store_tx *tx, int64_t id, struct program *out,
		      struct buf *err)
{
	static const char sql[] =
		"SELECT " PROGRAM_COLUMNS " FROM programs WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_program(s, out);
		sqlite3_reset(s);
		if (rules_read(tx, out, err) < 0) {
			program_release(out);
			return -1;
		}
		return 1;
	}
	rc = step_end(tx->conn, rc, "reading program", err);
	sqlite3_reset(s);
	return rc;
}

int store_program_each(struct store_tx *tx, int64_t shop_id,
		       int (*fn)(void *ctx, const struct program *p), void *ctx,
		       struct buf *err)
{
	static const char sql[] = "SELECT id FROM programs"
				  " WHERE ? = 0 OR shop_id = ? ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_int(s, 2, shop_id);
	/* Ids first: reading a program reuses statements of this connection. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	rc = step_end(tx->conn, rc, "listing", err);
	sqlite3_reset(s);
	for (i = 0; rc == 0 && i < n; i++) {
		struct program p;

		if (store_program_get(tx, ids[i], &p, err) != 1) {
			rc = -1;
			break;
		}
		rc = fn(ctx, &p) ? 1 : 0;
		program_release(&p);
	}
	free(ids);
	return rc < 0 ? -1 : 0;
}
