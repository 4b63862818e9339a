/*
 * What the parts of the Shopify provider share. Not for the core: it
 * reaches Shopify only through shopify_provider (providers/provider_int.h)
 * and the wrappers of providers/provider.h.
 */
#ifndef AFFILIATED_SHOPIFY_INTERNAL_H
#define AFFILIATED_SHOPIFY_INTERNAL_H

#include "providers/provider.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* config.c: the [shopify] section */
enum shopify_key {
	SHOPIFY_KEY_API_KEY,
	SHOPIFY_KEY_API_SECRET,
	SHOPIFY_KEY_SCOPES,
	SHOPIFY_KEY_API_VERSION,
	SHOPIFY_KEY_BASE_URL,
	SHOPIFY_KEY_ADMIN_ORIGINS,
	SHOPIFY_KEY__COUNT
};

extern const struct provider_key shopify_keys[SHOPIFY_KEY__COUNT];
/* An api_version Shopify no longer serves as asked; see provider_int.h. */
int shopify_config_warnings(const char *const *values, int64_t now,
			    struct buf *out);

/* landing.c */
bool shopify_landing_allowed(const char *domain, const char *url);

/* api.c */
const char *shopify_str(const cJSON *obj, const char *key);

int shopify_url(const struct provider_env *env, const char *path,
		struct buf *url);

enum provider_status shopify_http_status(const struct http_result *r, int rc,
					 struct buf *err);

int shopify_post_json(const struct provider_env *env, const char *url,
		      const struct buf *body, struct http_result *r);

enum provider_status shopify_graphql(const struct provider_env *env,
				     const struct buf *body, cJSON **root,
				     struct reward_result *res,
				     struct buf *err);

int shopify_body(struct buf *body, const char *query, const char *vars);

enum provider_status shopify_user_errors(const cJSON *payload, struct buf *err);

/* install.c */
bool shopify_valid_shop(const char *shop);

int shopify_install_redirect(const struct provider_env *env,
			     const struct provider_request *req,
			     const char *state, struct buf *location,
			     char shop_out[256], struct buf *err);

enum provider_status shopify_finish_install(const struct provider_env *env,
					    const struct provider_request *req,
					    struct install_result *out,
					    struct buf *err);

enum provider_status shopify_refresh_token(const struct provider_env *env,
					   const char *refresh_token,
					   struct install_result *out,
					   struct buf *err);

enum provider_status shopify_migrate_token(const struct provider_env *env,
					   struct install_result *out,
					   struct buf *err);

enum provider_status
shopify_check_webhooks(const struct provider_env *env, const char *address,
		       bool fix, struct topic_check out[PROVIDER_MAX_TOPICS],
		       size_t *n, struct buf *err);

enum provider_status shopify_describe_shop(const struct provider_env *env,
					   struct shop_info *out,
					   struct buf *err);

/* webhook.c */
bool shopify_verify_webhook(const struct platform_config *cfg,
			    const struct provider_request *req);

const char *shopify_claimed_shop(const struct provider_request *req);

int shopify_classify_webhook(const struct provider_request *req,
			     struct webhook_info *out, struct buf *err);

/* order.c: REST bodies (webhooks) */
int shopify_parse_order(const char *json, size_t len, struct order *out,
			struct buf *err);

int shopify_parse_refund(const char *json, size_t len, char *order_id, size_t n,
			 struct order_refund *out, struct buf *err);

int shopify_parse_privacy(const char *json, size_t len, char *customer_id,
			  size_t idn, char *email, size_t emailn,
			  struct buf *err);

/* REST financial_status (or GraphQL's enum in lower case); -1 unknown. */
int shopify_financial(const char *s, enum order_financial *out);

/* order_edit.c */

/*
 * What an order's current_* values say, gathered by either parser while
 * it reads the lines and refunds, then applied by shopify_settle_edits.
 * Amounts in shop money; -1 where the order did not send the value.
 */
struct shopify_current {
	int64_t subtotal, total, tax; /* after edits and refunds */
	int64_t *quantity;	      /* per line: current quantity or -1 */
	int64_t *refunded;	      /* per line: units refunded */
	size_t n;		      /* entries in both arrays */
	int64_t refunded_subtotal;    /* of every refunded line */
	int64_t refunded_tax;
};

void shopify_current_init(struct shopify_current *c);
void shopify_current_release(struct shopify_current *c);
/* Records line i's current quantity (-1: not sent). */
void shopify_current_line(struct shopify_current *c, size_t i, int64_t qty);
/*
 * Records a refunded line of o (line_id as in o->lines[].id; a line the
 * order does not list still counts in the sums). -1 on overflow.
 */
int shopify_current_refund(struct shopify_current *c, const struct order *o,
			   const char *line_id, int64_t qty, int64_t subtotal,
			   int64_t tax, struct buf *err);
/* The line of o whose id is line_id, or NULL. */
const struct order_line *shopify_line_by_id(const struct order *o,
					    const char *line_id);
/* Turns o into the order as edited and before refunds (see the .c). */
int shopify_settle_edits(struct order *o, const struct shopify_current *c,
			 struct buf *err);

/* order_graphql.c: GraphQL Admin objects (pure) */

/* The digits after "gid://shopify/<kind>/", or NULL when gid is not one. */
const char *shopify_gid_number(const char *gid, const char *kind);

/* An Order object into o (initialised here; released on failure). */
int shopify_gql_order(const cJSON *node, struct order *o, struct buf *err);
/*
 * A Refund object into r (r->id owned by the caller); currency is the
 * shop's. Gift card lines are known only from lineItem.isGiftCard here.
 */
int shopify_gql_refund(const cJSON *node, const char *currency,
		       struct order_refund *r, struct buf *err);
/* A whole `order(id:)` answer, {"data":{"order":{...}}}, into out. */
int shopify_parse_graphql_order(const char *json, size_t len, struct order *out,
				struct buf *err);
/*
 * A whole `refund(id:)` answer into out; currency is the shop's, used
 * when the answer does not name it.
 */
int shopify_parse_graphql_refund(const char *json, size_t len,
				 const char *currency, struct order_refund *out,
				 struct buf *err);

/* order_fetch.c: the Admin API calls for orders and refunds */
enum provider_status shopify_fetch_order(const struct provider_env *env,
					 const char *order_id,
					 struct order *out, struct buf *err);

enum provider_status
shopify_list_orders(const struct provider_env *env, int64_t since,
		    struct order_page_cursor *cursor,
		    int (*fn)(void *ctx, const struct order *o), void *ctx,
		    struct buf *err);

enum provider_status shopify_fetch_refund(const struct provider_env *env,
					  const char *order_id,
					  const char *refund_id,
					  struct order_refund *out,
					  struct buf *err);

/* reward.c */
enum provider_status shopify_create_coupon(const struct provider_env *env,
					   const struct reward_request *req,
					   struct reward_result *out,
					   struct buf *err);

enum provider_status shopify_find_coupon(const struct provider_env *env,
					 const char *code,
					 struct reward_result *out,
					 struct buf *err);

enum provider_status shopify_create_gift_card(const struct provider_env *env,
					      const struct reward_request *req,
					      struct reward_result *out,
					      struct buf *err);

enum provider_status shopify_find_gift_card(const struct provider_env *env,
					    const char *code,
					    struct reward_result *out,
					    struct buf *err);

#endif
