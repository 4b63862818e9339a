/* The webhook inbox: deliveries stored before we answer 200. */
#ifndef AFFILIATED_STORE_INBOX_H
#define AFFILIATED_STORE_INBOX_H

#include "store/store.h"

struct inbox_item {
	int64_t id;
	int64_t shop_id;
	char platform[16];
	char delivery_id[128];
	char topic[64];
	int kind; /* enum webhook_kind */
	char *body;
	size_t len;
	int64_t attempts;
};

/* A delivery to store: the body is borrowed. */
struct inbox_put {
	int64_t shop_id;
	const char *platform;
	const char *delivery_id;
	const char *topic;
	int kind;
	const char *body;
	size_t len;
};

void inbox_item_release(struct inbox_item *it);

/* Inserts unless (platform, delivery id) is known: 1 new, 0 duplicate. */
int store_inbox_put(struct store_tx *tx, const struct inbox_put *it,
		    int64_t *id, struct buf *err);
/*
 * Up to max due items (pending, next attempt passed) of the shops with
 * shop_id % nparts == part, oldest first. *items is allocated.
 */
int store_inbox_due(struct store_tx *tx, int64_t now, int part, int nparts,
		    int max, struct inbox_item **items, size_t *n,
		    struct buf *err);
int store_inbox_done(struct store_tx *tx, int64_t id, const char *status,
		     const char *note, struct buf *err);
/* Records a failed attempt and when to try again. */
int store_inbox_retry(struct store_tx *tx, int64_t id, int64_t next_at,
		      const char *error, struct buf *err);
/* Counts by status, for metrics and tests. */
int store_inbox_count(struct store_tx *tx, const char *status, int64_t *n,
		      struct buf *err);

#endif
