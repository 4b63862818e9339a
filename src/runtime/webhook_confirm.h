/*
 * The deliveries that erase a shop's data (app/uninstalled, shop/redact)
 * confirmed with the platform before they are stored: a signed body may
 * be a replay under unsigned headers, but a shop whose token still
 * works has not uninstalled the app.
 */
#ifndef AFFILIATED_WEBHOOK_CONFIRM_H
#define AFFILIATED_WEBHOOK_CONFIRM_H

#include "runtime/app.h"
#include "providers/provider.h"
#include "util/buf.h"

#include <stdint.h>

/*
 * 1 when the delivery of kind for shop_id may be stored (confirmed, or
 * a kind that needs no confirmation), 0 when the platform contradicts it
 * (err says how), -1 when it cannot tell now (err says why).
 */
int webhook_confirm(struct app *app, int64_t shop_id, enum webhook_kind kind,
		    struct buf *err);

#endif
