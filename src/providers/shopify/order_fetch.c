/*
 * Shopify: reading orders and refunds through the GraphQL Admin API
 * (PLATFORMS.md 1f and 1g: no REST Admin call). One order by id, the
 * orders updated since a time with cursor paging, and one refund by id.
 * The answers are translated by shopify_order_graphql.c.
 */
#include "providers/shopify/internal.h"
#include "util/json.h"
#include "util/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The fields read of every Order: the one place they are named, used by
 * both the fetch and the list query.
 */
#define SHOPIFY_MONEY_BAG                                          \
	"{shopMoney{amount currencyCode} presentmentMoney{amount " \
	"currencyCode}}"
#define SHOPIFY_REFUND_FIELDS                                                \
	"id legacyResourceId createdAt totalRefundedSet{shopMoney{amount "   \
	"currencyCode}} refundLineItems(first: 50){nodes{lineItem{id} "      \
	"quantity subtotalSet{shopMoney{amount}} totalTaxSet{shopMoney{"     \
	"amount}}}} refundShippingLines(first: 10){nodes{subtotalAmountSet{" \
	"shopMoney{amount}} taxAmountSet{shopMoney{amount}}}} transactions(" \
	"first: 10){nodes{kind status amountSet{shopMoney{amount}}}}"
#define SHOPIFY_ORDER_FRAGMENT                                                \
	" fragment OrderFields on Order {id legacyResourceId name test "      \
	"createdAt updatedAt processedAt cancelledAt displayFinancialStatus " \
	"currencyCode presentmentCurrencyCode email clientIp customer{id "    \
	"legacyResourceId email} billingAddress{countryCodeV2} "              \
	"shippingAddress{countryCodeV2} discountCodes customAttributes{key "  \
	"value} customerJourneySummary{firstVisit{landingPage referrerUrl}} " \
	"totalPriceSet" SHOPIFY_MONEY_BAG                                     \
	" currentTotalPriceSet" SHOPIFY_MONEY_BAG                             \
	" subtotalPriceSet" SHOPIFY_MONEY_BAG                                 \
	" currentSubtotalPriceSet" SHOPIFY_MONEY_BAG                          \
	" totalTaxSet" SHOPIFY_MONEY_BAG                                      \
	" currentTotalTaxSet" SHOPIFY_MONEY_BAG                               \
	" totalShippingPriceSet" SHOPIFY_MONEY_BAG                            \
	" totalDiscountsSet" SHOPIFY_MONEY_BAG                                \
	" currentTotalDiscountsSet" SHOPIFY_MONEY_BAG                         \
	" lineItems(first: 50){nodes{id title sku quantity currentQuantity "  \
	"isGiftCard product{id} originalUnitPriceSet{shopMoney{amount}} "     \
	"discountAllocations{allocatedAmountSet{shopMoney{amount}}}} "        \
	"pageInfo{hasNextPage}} refunds(first: 20){" SHOPIFY_REFUND_FIELDS    \
	"}}"

static const char shopify_order_query[] =
	"query Order($id: ID!) {order(id: $id) "
	"{...OrderFields}}" SHOPIFY_ORDER_FRAGMENT;

static const char shopify_orders_query[] =
	"query Orders($first: Int!, $after: String, $sortKey: OrderSortKeys, "
	"$query: String) {orders(first: $first, after: $after, sortKey: "
	"$sortKey, query: $query) {nodes {...OrderFields} pageInfo "
	"{hasNextPage endCursor}}}" SHOPIFY_ORDER_FRAGMENT;

static const char shopify_refund_query[] =
	"query Refund($id: ID!) {refund(id: $id) {" SHOPIFY_REFUND_FIELDS "}}";

/*
 * Orders per page. Shopify prices a query before running it (objects 1,
 * a connection 2 + first x its node) and refuses one asking over 1000
 * (MAX_COST_EXCEEDED). One order as selected above asks about 775: its
 * money bags 27, the 50 line items 2 + 50 x 7, and the refunds with
 * their 50 refund lines, 10 shipping lines and 10 transactions about
 * 390. So a page holds one order, well under the cap with room for
 * Shopify's pricing to differ a little; more orders per page need the
 * nested first: values made smaller first.
 */
#define SHOPIFY_ORDERS_PAGE 1

/* What Shopify shows without read_all_orders (PLATFORMS.md 1f). */
#define SHOPIFY_ORDER_WINDOW (60 * 86400)

/* A numeric id of ours, as the webhooks give it. */
static bool shopify_numeric(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (id[i] < '0' || id[i] > '9' || i >= 20)
			return false;
	return i > 0;
}

/* Runs query with vars; on PROVIDER_OK *root holds the answer. */
static enum provider_status shopify_query(const struct provider_env *env,
					  const char *query, const char *vars,
					  cJSON **root, int64_t *retry_ms,
					  struct buf *err)
{
	struct reward_result res;
	enum provider_status st;
	struct buf body;

	memset(&res, 0, sizeof(res));
	buf_init(&body, BUF_MEDIUM);
	if (shopify_body(&body, query, vars) < 0) {
		errorf(err, "the GraphQL query is too long");
		st = PROVIDER_REJECTED;
	} else {
		st = shopify_graphql(env, &body, root, &res, err);
	}
	if (retry_ms)
		*retry_ms = res.retry_after_ms;
	buf_release(&body);
	return st;
}

/* The GraphQL variables {"id": "gid://shopify/<kind>/<id>"}. */
static int shopify_gid_vars(struct buf *vars, const char *kind, const char *id)
{
	return buf_printf(vars, "{\"id\":\"gid://shopify/%s/%s\"}", kind, id);
}

enum provider_status shopify_fetch_order(const struct provider_env *env,
					 const char *order_id,
					 struct order *out, struct buf *err)
{
	enum provider_status st = PROVIDER_REJECTED;
	cJSON *root = NULL;
	const cJSON *node;
	struct buf vars;

	order_init(out);
	if (!shopify_numeric(order_id)) {
		errorf(err, "'%.40s' is not a Shopify order id", order_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&vars, 256);
	if (shopify_gid_vars(&vars, "Order", order_id) < 0)
		goto out;
	st = shopify_query(env, shopify_order_query, vars.data, &root, NULL,
			   err);
	if (st != PROVIDER_OK)
		goto out;
	node = json_get(json_get(root, "data"), "order");
	if (!node) {
		errorf(err, "order %s is not on Shopify", order_id);
		st = PROVIDER_NOT_FOUND;
	} else if (shopify_gql_order(node, out, err) < 0) {
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}

/* The variables of one orders page: the cursor, the time, the sort. */
static int shopify_list_vars(struct buf *vars, int64_t since, const char *after)
{
	char stamp[21], search[64];

	format_iso8601(since, stamp);
	snprintf(search, sizeof(search), "updated_at:>='%s'", stamp);
	if (buf_printf(vars, "{\"first\":%d,\"sortKey\":\"UPDATED_AT\",",
		       SHOPIFY_ORDERS_PAGE) < 0 ||
	    buf_puts(vars, "\"query\":") < 0 || json_escape(vars, search) < 0)
		return -1;
	if (after[0] &&
	    (buf_puts(vars, ",\"after\":") < 0 || json_escape(vars, after) < 0))
		return -1;
	return buf_putc(vars, '}');
}

/* Says what the 60-day window hides, when since is before it. */
static void shopify_window_note(const struct provider_env *env, int64_t since,
				struct order_page_cursor *cursor)
{
	int64_t edge = env->now - SHOPIFY_ORDER_WINDOW;
	char stamp[21];

	if (env->now <= 0 || since >= edge)
		return;
	format_iso8601(edge, stamp);
	snprintf(cursor->note, sizeof(cursor->note),
		 "Shopify shows only the last 60 days of orders without the "
		 "read_all_orders scope; orders before %.10s were not checked",
		 stamp);
}

/* Each order of a page to fn; one unreadable order is skipped. */
static enum provider_status
shopify_page_orders(const cJSON *nodes, struct order_page_cursor *cursor,
		    int (*fn)(void *ctx, const struct order *o), void *ctx,
		    struct buf *err)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, nodes)
	{
		struct order o;
		int rc;

		if (shopify_gql_order(it, &o, err) < 0) {
			if (!cursor->skipped)
				snprintf(cursor->skip_error,
					 sizeof(cursor->skip_error), "%s",
					 buf_str(err));
			cursor->skipped++;
			buf_reset(err);
			continue;
		}
		rc = fn(ctx, &o);
		order_release(&o);
		if (rc != 0)
			return PROVIDER_REJECTED;
	}
	return PROVIDER_OK;
}

/* pageInfo into the cursor: the endCursor, or "" after the last page. */
static enum provider_status shopify_next_page(const cJSON *conn,
					      struct order_page_cursor *cursor,
					      struct buf *err)
{
	const cJSON *info = json_get(conn, "pageInfo");
	const char *end = shopify_str(info, "endCursor");
	bool more = false;

	if (json_bool(info, "hasNextPage", false, &more, err) < 0)
		return PROVIDER_REJECTED;
	if (more && (!end || !end[0] || strlen(end) >= sizeof(cursor->next))) {
		errorf(err, "the orders answer has a next page but no usable "
			    "endCursor");
		return PROVIDER_REJECTED;
	}
	snprintf(cursor->next, sizeof(cursor->next), "%s", more ? end : "");
	return PROVIDER_OK;
}

enum provider_status
shopify_list_orders(const struct provider_env *env, int64_t since,
		    struct order_page_cursor *cursor,
		    int (*fn)(void *ctx, const struct order *o), void *ctx,
		    struct buf *err)
{
	enum provider_status st = PROVIDER_REJECTED;
	cJSON *root = NULL;
	const cJSON *conn, *nodes;
	struct buf vars;

	buf_init(&vars, 2048);
	shopify_window_note(env, since, cursor);
	if (shopify_list_vars(&vars, since, cursor->next) < 0) {
		errorf(err, "the orders query does not fit");
		goto out;
	}
	st = shopify_query(env, shopify_orders_query, vars.data, &root,
			   &cursor->retry_after_ms, err);
	if (st != PROVIDER_OK)
		goto out;
	conn = json_get(json_get(root, "data"), "orders");
	nodes = json_get(conn, "nodes");
	if (!cJSON_IsArray(nodes)) {
		errorf(err, "the orders answer holds no orders list");
		st = PROVIDER_REJECTED;
		goto out;
	}
	st = shopify_next_page(conn, cursor, err);
	if (st == PROVIDER_OK)
		st = shopify_page_orders(nodes, cursor, fn, ctx, err);
out:
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}

enum provider_status shopify_fetch_refund(const struct provider_env *env,
					  const char *order_id,
					  const char *refund_id,
					  struct order_refund *out,
					  struct buf *err)
{
	enum provider_status st = PROVIDER_REJECTED;
	cJSON *root = NULL;
	const cJSON *node;
	const char *cur;
	struct buf vars;

	memset(out, 0, sizeof(*out));
	out->base = -1;
	if (!shopify_numeric(refund_id)) {
		errorf(err, "'%.40s' is not a Shopify refund id", refund_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&vars, 256);
	if (shopify_gid_vars(&vars, "Refund", refund_id) < 0)
		goto out;
	st = shopify_query(env, shopify_refund_query, vars.data, &root, NULL,
			   err);
	if (st != PROVIDER_OK)
		goto out;
	node = json_get(json_get(root, "data"), "refund");
	cur = shopify_str(
		json_get(json_get(node, "totalRefundedSet"), "shopMoney"),
		"currencyCode");
	if (!node) {
		errorf(err, "refund %s of order %s is not on Shopify",
		       refund_id, order_id);
		st = PROVIDER_NOT_FOUND;
	} else if (shopify_gql_refund(node, cur ? cur : env->shop->currency,
				      out, err) < 0) {
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}
