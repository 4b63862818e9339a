/*
 * What the parts of the Ecwid provider share. Not for the core: it
 * reaches Ecwid only through ecwid_provider (providers/provider_int.h)
 * and the wrappers of providers/provider.h.
 */
#ifndef AFFILIATED_ECWID_INTERNAL_H
#define AFFILIATED_ECWID_INTERNAL_H

#include "providers/provider.h"
#include "util/json.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	ECWID_PAGE = 100,	   /* Ecwid's largest page of orders */
	ECWID_MAX_AGE = 48 * 3600, /* oldest eventCreated: 2x retry span */
	ECWID_MAX_AHEAD = 10 * 60, /* newest: allowed clock skew */
	ECWID_RETRY_MS = 1000,	   /* a 429 without Retry-After */
	ECWID_URL_MAX = 8192,	   /* any URL we build */
	ECWID_MSG_MAX = 200,	   /* platform message quoted in errors */
};

/* One REST call under <api_base>/{storeId}/. */
struct ecwid_call {
	const char *method;
	const char *path;	 /* after /{storeId}/, query included */
	const char *body;	 /* JSON, or NULL */
	int64_t *retry_after_ms; /* set on 429; NULL: not wanted */
};

/* config.c: the [ecwid] section */
enum ecwid_key {
	ECWID_KEY_CLIENT_ID,
	ECWID_KEY_CLIENT_SECRET,
	ECWID_KEY_SCOPES,
	ECWID_KEY_API_BASE,
	ECWID_KEY_OAUTH_BASE,
	ECWID_KEY_ADMIN_ORIGINS,
	ECWID_KEY_SDK_URL,
	ECWID_KEY__COUNT
};

extern const struct provider_key ecwid_keys[ECWID_KEY__COUNT];

/* landing.c */
bool ecwid_landing_default(const char *domain, char *out, size_t n);

/* api.c */
void ecwid_release_secret(struct buf *b);

int ecwid_copy(char *dst, size_t n, const char *src);

bool ecwid_digits(const char *s);

int ecwid_put_base(struct buf *out, const char *base);

const cJSON *ecwid_object(const cJSON *obj, const char *key, bool *bad,
			  struct buf *err);

const char *ecwid_text(const cJSON *obj, const char *key, bool *bad,
		       struct buf *err);

int ecwid_parse_date(const char *s, int64_t *out);

void ecwid_error_text(const struct http_result *r, char *msg, size_t n,
		      char *code, size_t cn);

enum provider_status ecwid_api(const struct provider_env *env,
			       const struct ecwid_call *c,
			       struct http_result *r, struct buf *err);

/* install.c */
int ecwid_install_redirect(const struct provider_env *env,
			   const struct provider_request *req,
			   const char *state, struct buf *location,
			   char shop[256], struct buf *err);

enum provider_status ecwid_finish_install(const struct provider_env *env,
					  const struct provider_request *req,
					  struct install_result *out,
					  struct buf *err);

enum provider_status ecwid_describe_shop(const struct provider_env *env,
					 struct shop_info *out,
					 struct buf *err);

int ecwid_open_app_payload(const struct platform_config *cfg,
			   const struct provider_request *req,
			   struct install_result *out, struct buf *err);

/* webhook.c */
bool ecwid_verify_webhook(const struct platform_config *cfg,
			  const struct provider_request *req);

int ecwid_classify_webhook(const struct provider_request *req,
			   struct webhook_info *out, struct buf *err);

int ecwid_parse_order_ref(const char *json, size_t len, char *order_id,
			  size_t n, struct buf *err);

int ecwid_parse_privacy(const char *json, size_t len, char *customer_id,
			size_t idn, char *email, size_t emailn,
			struct buf *err);

/* order.c */
int ecwid_parse_order(const char *json, size_t len, struct order *out,
		      struct buf *err);

enum provider_status ecwid_fetch_order(const struct provider_env *env,
				       const char *order_id, struct order *out,
				       struct buf *err);

/* One order object of an API answer into o (initialised); -1 and err. */
int ecwid_order_from(const cJSON *j, const char *currency, struct order *o,
		     struct buf *err);

/* The shop's currency, which every fetched order is in; NULL and err. */
const char *ecwid_shop_currency(const struct provider_env *env,
				struct buf *err);

/* list.c */
enum provider_status
ecwid_list_orders(const struct provider_env *env, int64_t since,
		  struct order_page_cursor *cursor,
		  int (*fn)(void *ctx, const struct order *o), void *ctx,
		  struct buf *err);

/* reward.c */
enum provider_status ecwid_create_coupon(const struct provider_env *env,
					 const struct reward_request *req,
					 struct reward_result *out,
					 struct buf *err);

enum provider_status ecwid_find_coupon(const struct provider_env *env,
				       const char *code,
				       struct reward_result *out,
				       struct buf *err);

#endif
