/*
 * The JSON shapes of INTERFACE.md: what `--json` prints and what other
 * scripts read. Money is an integer count of minor units beside its
 * currency; rates are basis points with the percentage as text.
 */
#ifndef AFFILIATED_MODEL_JSON_H
#define AFFILIATED_MODEL_JSON_H

#include "model/model.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"

#include <cjson/cJSON.h>

cJSON *shop_json(const struct shop *s);
cJSON *program_json(const struct program *p, const char *shop_domain);
cJSON *affiliate_json(const struct affiliate *a);
/* commission: the order's commission (NULL: none), with its status. */
cJSON *order_json(const struct order_row *r, const char *platform,
		  const char *shop_domain, const struct commission *c,
		  const char *status);
cJSON *entry_json(const struct ledger_entry *e);
cJSON *reward_json(const struct reward *r);

/* "15" for 1500 bps, "12.5" for 1250. */
void bps_text(int64_t bps, char out[32]);

/*
 * The commission's state in words, from its ledger entries: pending,
 * held, approved, approved_partly_reversed, reversed, paid ("unknown"
 * when the store cannot say).
 */
const char *commission_status(struct store_tx *tx, const struct commission *c,
			      struct buf *err);

#endif
