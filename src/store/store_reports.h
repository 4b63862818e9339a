/*
 * What the pages read beyond the pipeline's own queries: a shop by its
 * domain, the target of a tracking link, and the report figures (clicks,
 * credited orders, sales, commissions) grouped by affiliate, program,
 * social network or day.
 */
#ifndef AFFILIATED_STORE_REPORTS_H
#define AFFILIATED_STORE_REPORTS_H

#include "model/model.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The shop whose domain is domain (any platform): 1, 0 none, -1. */
int store_shop_by_domain(struct store_tx *tx, const char *domain,
			 struct shop *out, struct buf *err);

/* Where a tracking link leads: the affiliate owning a referral code. */
struct click_target {
	int64_t affiliate_id;
	int64_t shop_id;
	int64_t program_id;
	bool counted; /* affiliate and program both active */
	int64_t window_days;
	char code[64];		/* as stored */
	char landing_url[2048]; /* the program's, "" when unset */
	char platform[32];
	char domain[256]; /* the shop's */
};

/*
 * The affiliate whose referral code is code, in any shop (codes compare
 * case-insensitively; the oldest wins if two shops share one): 1, 0, -1.
 */
int store_click_target(struct store_tx *tx, const char *code,
		       struct click_target *out, struct buf *err);
/*
 * Calls fn for the target of every referral code, oldest affiliate
 * first; t is only valid during the call. fn returning non-zero stops.
 */
int store_click_targets_each(struct store_tx *tx,
			     int (*fn)(void *ctx, const struct click_target *t),
			     void *ctx, struct buf *err);
/* Whether any affiliate of any shop has code as referral code. */
int store_code_taken_anywhere(struct store_tx *tx, const char *code,
			      struct buf *err);

enum report_dim {
	REPORT_AFFILIATE,
	REPORT_PROGRAM,
	REPORT_NETWORK,
	REPORT_DAY,
	REPORT_DIM__COUNT
};

struct report_filter {
	int64_t shop_id;
	int64_t affiliate_id; /* 0: every affiliate */
	int64_t since;	      /* seconds since the epoch, inclusive */
	int64_t until;	      /* exclusive */
	const char *currency; /* orders in other currencies are left out */
};

struct report_row {
	char key[64];	 /* id, network or day number, as text */
	char label[256]; /* affiliate or program name, network; "" for days */
	int64_t day;	 /* REPORT_DAY: days since the epoch */
	int64_t clicks;
	int64_t orders;	    /* credited, not cancelled */
	int64_t sales;	    /* sum of their totals, minor units */
	int64_t commission; /* sum of their commissions, minor units */
};

struct report {
	struct report_row *rows; /* by key; days ascending */
	size_t n;
	struct report_row total;
};

void report_release(struct report *r);
/*
 * Fills out with one row per key that had clicks or orders. For
 * REPORT_DAY every day of [since, until) gets a row, zero or not.
 */
int store_report(struct store_tx *tx, const struct report_filter *f,
		 enum report_dim dim, struct report *out, struct buf *err);
/* The currency most of the shop's orders are in, "" when none. */
int store_report_currency(struct store_tx *tx, int64_t shop_id, char out[4],
			  struct buf *err);

#endif
