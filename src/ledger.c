#include "ledger.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

void ledger_hash(const struct ledger_entry *e, char out[65])
{
	unsigned char digest[CRYPTO_SHA256_LEN];
	struct buf text, hex;

	/* Fields joined by '\x1f' (unit separator); memos never hold it. */
	buf_init(&text, 2048);
	buf_init(&hex, 128);
	if (buf_printf(&text,
		       "%lld\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%lld\x1f%lld"
		       "\x1f%s\x1f%lld\x1f%s",
		       (long long)e->id, (long long)e->affiliate_id,
		       e->currency, e->bucket, e->kind, (long long)e->amount,
		       (long long)e->commission_id, (long long)e->order_id,
		       e->memo, (long long)e->created_at, e->prev_hash) < 0 ||
	    (crypto_sha256(text.data, text.len, digest),
	     hex_encode(&hex, digest, sizeof(digest)) < 0))
		BUG("ledger entry too large to hash");
	snprintf(out, 65, "%s", buf_str(&hex));
	buf_release(&text);
	buf_release(&hex);
}

static void copy_field(char *out, size_t n, const char *in)
{
	size_t i;

	snprintf(out, n, "%s", in ? in : "");
	for (i = 0; out[i]; i++)
		if (out[i] == '\x1f')
			out[i] = ' ';
}

int ledger_post(struct store_tx *tx, const struct ledger_post *p,
		struct buf *err)
{
	struct ledger_entry e;

	memset(&e, 0, sizeof(e));
	if (store_ledger_next_id(tx, &e.id, err) < 0 ||
	    store_ledger_head(tx, e.prev_hash, err) < 0)
		return -1;
	e.affiliate_id = p->affiliate_id;
	copy_field(e.currency, sizeof(e.currency), p->currency);
	copy_field(e.bucket, sizeof(e.bucket), p->bucket);
	copy_field(e.kind, sizeof(e.kind), p->kind);
	e.amount = p->amount;
	e.commission_id = p->commission_id;
	e.order_id = p->order_id;
	copy_field(e.memo, sizeof(e.memo), p->memo);
	e.created_at = clock_now();
	ledger_hash(&e, e.hash);
	return store_ledger_append(tx, &e, err);
}

int ledger_accrue(struct store_tx *tx, const struct commission *c,
		  struct buf *err)
{
	struct ledger_post p = {c->affiliate_id, c->currency,	"pending",
				"accrual",	 c->amount,	c->id,
				c->order_id,	 c->explanation};

	return ledger_post(tx, &p, err);
}

int ledger_approve(struct store_tx *tx, const struct commission *c, int64_t net,
		   const char *memo, struct buf *err)
{
	struct ledger_post from = {c->affiliate_id, c->currency, "pending",
				   "approval",	    -net,	 c->id,
				   c->order_id,	    memo};
	struct ledger_post to = {c->affiliate_id, c->currency, "approved",
				 "approval",	  net,	       c->id,
				 c->order_id,	  memo};

	return ledger_post(tx, &from, err) < 0 ? -1 : ledger_post(tx, &to, err);
}

int ledger_reverse(struct store_tx *tx, const struct commission *c,
		   bool approved, int64_t amount, const char *memo,
		   struct buf *err)
{
	struct ledger_post p = {
		c->affiliate_id, c->currency, approved ? "approved" : "pending",
		"reversal",	 -amount,     c->id,
		c->order_id,	 memo};

	return ledger_post(tx, &p, err);
}

int ledger_payout(struct store_tx *tx, int64_t affiliate_id,
		  const char *currency, int64_t amount, int64_t commission_id,
		  const char *memo, struct buf *err)
{
	struct ledger_post from = {
		affiliate_id, currency,	     "approved", "payout",
		-amount,      commission_id, 0,		 memo};
	struct ledger_post to = {affiliate_id, currency,      "paid", "payout",
				 amount,       commission_id, 0,      memo};

	return ledger_post(tx, &from, err) < 0 ? -1 : ledger_post(tx, &to, err);
}

struct verify_state {
	char prev[65];
	int64_t expect_id;
	int64_t count;
	struct buf *err;
	int failed;
};

static int verify_entry(void *ctx, const struct ledger_entry *e)
{
	struct verify_state *v = ctx;
	char hash[65];

	if (e->id != v->expect_id) {
		errorf(v->err, "entry %lld is missing (next is %lld)",
		       (long long)v->expect_id, (long long)e->id);
		return v->failed = 1;
	}
	if (strcmp(e->prev_hash, v->prev) != 0) {
		errorf(v->err,
		       "entry %lld does not follow entry %lld: its "
		       "predecessor was changed or removed",
		       (long long)e->id, (long long)e->id - 1);
		return v->failed = 1;
	}
	ledger_hash(e, hash);
	if (strcmp(hash, e->hash) != 0) {
		errorf(v->err, "entry %lld was changed after it was written",
		       (long long)e->id);
		return v->failed = 1;
	}
	memcpy(v->prev, e->hash, sizeof(v->prev));
	v->expect_id++;
	v->count++;
	return 0;
}

int ledger_verify(struct store_tx *tx, int64_t *count, struct buf *err)
{
	struct verify_state v;
	int64_t next;

	memset(&v, 0, sizeof(v));
	memset(v.prev, '0', 64);
	v.expect_id = 1;
	v.err = err;
	if (store_ledger_each(tx, 0, verify_entry, &v, err) < 0)
		return -1;
	*count = v.count;
	if (v.failed)
		return -1;
	if (store_ledger_next_id(tx, &next, err) < 0)
		return -1;
	if (next != v.expect_id)
		return errorf(err, "entries %lld to %lld were removed",
			      (long long)v.expect_id, (long long)next - 1);
	return 0;
}
