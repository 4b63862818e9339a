/*
 * What the parts of the Shopify provider share. Not for the core: it
 * reaches Shopify only through shopify_provider (providers/provider.h).
 */
#ifndef AFFILIATED_SHOPIFY_INTERNAL_H
#define AFFILIATED_SHOPIFY_INTERNAL_H

#include "providers/provider.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* shopify_api.c */
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

enum provider_status shopify_get(const struct provider_env *env,
				 const char *url, struct http_result *r,
				 struct buf *err);

/* shopify_install.c */
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

enum provider_status
shopify_check_webhooks(const struct provider_env *env, const char *address,
		       bool fix, struct topic_check out[PROVIDER_MAX_TOPICS],
		       size_t *n, struct buf *err);

enum provider_status shopify_describe_shop(const struct provider_env *env,
					   struct shop_info *out,
					   struct buf *err);

/* shopify_webhook.c */
bool shopify_verify_webhook(const struct platform_config *cfg,
			    const struct provider_request *req);

const char *shopify_claimed_shop(const struct provider_request *req);

int shopify_classify_webhook(const struct provider_request *req,
			     struct webhook_info *out, struct buf *err);

/* shopify_order.c */
int shopify_parse_order(const char *json, size_t len, struct order *out,
			struct buf *err);

int shopify_parse_refund(const char *json, size_t len, char *order_id, size_t n,
			 struct order_refund *out, struct buf *err);

int shopify_parse_privacy(const char *json, size_t len, char *customer_id,
			  size_t idn, char *email, size_t emailn,
			  struct buf *err);

enum provider_status shopify_fetch_order(const struct provider_env *env,
					 const char *order_id,
					 struct order *out, struct buf *err);

enum provider_status
shopify_list_orders(const struct provider_env *env, int64_t since,
		    struct order_page_cursor *cursor,
		    int (*fn)(void *ctx, const struct order *o), void *ctx,
		    struct buf *err);

/* shopify_reward.c */
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
