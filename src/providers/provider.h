/*
 * The core's view of a platform. Each platform is one folder,
 * providers/<name>/, whose <name>.c fills one `const struct provider`
 * (the table, in provider_int.h, which only providers/ includes) and
 * whose other files are its parts; provider.c lists it in the registry.
 * Providers are translators: they receive everything they need as
 * arguments (the platform config, the shop, an HTTP client), keep no
 * state, run no SQL and never log bodies. The core never reads a member:
 * it asks provider_name() and provider_has() and calls the provider_*()
 * wrappers below, which log, time and count each call and turn a missing
 * member into PROVIDER_UNSUPPORTED.
 */
#ifndef AFFILIATED_PROVIDER_H
#define AFFILIATED_PROVIDER_H

#include "util/http_client.h"
#include "model/order.h"
#include "util/buf.h"
#include "util/config_def.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a platform can do; provider_has() asks before the core calls. */
enum provider_cap {
	PROVIDER_CAN_GIFT_CARD = 1 << 0,    /* create_gift_card works */
	PROVIDER_CAN_FETCH_ORDER = 1 << 1,  /* fetch_order and list_orders */
	PROVIDER_CAN_API_WEBHOOKS = 1 << 2, /* check_webhooks via the API */
	/*
	 * The platform may start an install we did not start (an app market
	 * redirecting with only a code): the callback may come without state.
	 */
	PROVIDER_UNSOLICITED_INSTALL = 1 << 3,
	PROVIDER_CAN_REFRESH_TOKEN = 1 << 4, /* refresh_token: tokens expire */
	/* migrate_token: old tokens that do not expire can be exchanged */
	PROVIDER_CAN_MIGRATE_TOKEN = 1 << 5,
	/*
	 * A shop may sign its webhooks with its own secret instead of the
	 * app's (custom apps): webhook_claimed_shop names whose to try.
	 */
	PROVIDER_SHOP_SECRETS = 1 << 6,
};

enum provider_status {
	PROVIDER_OK,
	PROVIDER_EXISTS,       /* our code is already on the platform */
	PROVIDER_RETRY,	       /* timeout, 5xx, throttled: try again later */
	PROVIDER_REJECTED,     /* the platform refused: do not retry */
	PROVIDER_UNSUPPORTED,  /* this platform or shop cannot do it */
	PROVIDER_UNAUTHORIZED, /* token revoked or app uninstalled */
	PROVIDER_NOT_FOUND,
	PROVIDER_STATUS__COUNT
};

/*
 * The neutral roles the keys of a platform's section play: what the core
 * reads each as (struct platform_config). One key may play several (one
 * base URL for both the API and OAuth); a role no key plays reads "".
 */
enum platform_role {
	PLATFORM_CLIENT_ID = 1 << 0,
	PLATFORM_CLIENT_SECRET = 1 << 1,
	PLATFORM_SCOPES = 1 << 2,
	PLATFORM_API_BASE = 1 << 3,
	PLATFORM_OAUTH_BASE = 1 << 4,
	PLATFORM_ADMIN_ORIGINS = 1 << 5, /* who may frame the app */
	PLATFORM_API_VERSION = 1 << 6,
	/* the platform admin's script that framed pages load first */
	PLATFORM_ADMIN_SCRIPT = 1 << 7,
};

/* One key of a platform's section: def.section is the provider's name. */
struct provider_key {
	struct config_def def;
	unsigned roles; /* enum platform_role; 0: the provider's own use */
};

/* The [<platform>] section of the configuration, in neutral terms. */
struct platform_config {
	const char *name;
	const char *client_id;
	const char *client_secret; /* "" means no app: no installs */
	const char *scopes;
	const char *api_version;
	const char *api_base;	/* may hold {shop} */
	const char *oauth_base; /* may hold {shop} */
	const char *public_url; /* where the platform reaches us */
	/* the platform's script that pages in its admin load first, or "" */
	const char *admin_script_url;
};

/* The shop a call is about. */
struct provider_shop {
	int64_t id;
	const char *domain; /* Shopify domain, Ecwid store id, ... */
	const char *token;  /* decrypted API token; NULL before install */
	const char *currency;
};

struct provider_env;

/*
 * The core's keeper of a shop's expiring token, for the wrappers below:
 * before a call they refresh when due() says the token is about to
 * expire, and after PROVIDER_UNAUTHORIZED they refresh once (forced) and
 * call again. refresh() updates the token of the env's shop in place and
 * answers PROVIDER_OK, PROVIDER_RETRY (try later) or PROVIDER_UNAUTHORIZED
 * (the merchant must open the app again).
 */
struct token_keeper {
	bool (*due)(const struct token_keeper *k, int64_t now);
	enum provider_status (*refresh)(const struct token_keeper *k,
					bool forced, struct buf *err);
	void *ctx;
};

struct provider_env {
	const struct platform_config *cfg;
	const struct provider_shop *shop; /* NULL when not about a shop */
	struct http_client *http;
	int64_t now; /* seconds since the epoch */
	/* NULL: the token is used as it is (install, CLI with a raw token) */
	const struct token_keeper *tokens;
};

/* Looks up a request's header or query value; NULL when absent. */
typedef const char *provider_lookup(const void *ctx, const char *name);
/* Visits each query parameter in order (decoded; value NULL if bare). */
typedef void provider_each(const void *ctx,
			   int (*fn)(void *arg, const char *key,
				     const char *value),
			   void *arg);

/* An incoming request as a provider may see it. */
struct provider_request {
	const char *body; /* raw bytes, exactly as received */
	size_t len;
	provider_lookup *header;
	provider_lookup *query;
	provider_each *each_query;
	const void *ctx;
};

enum webhook_kind {
	WEBHOOK_ORDER,	      /* the body is a whole order */
	WEBHOOK_ORDER_REF,    /* the body names an order: fetch it */
	WEBHOOK_REFUND,	      /* the body is one refund of an order */
	WEBHOOK_UNINSTALLED,  /* stop calling the shop, forget the token */
	WEBHOOK_DATA_REQUEST, /* a customer asks for their data */
	WEBHOOK_CUSTOMER_REDACT,
	WEBHOOK_SHOP_REDACT,
	WEBHOOK_IGNORED, /* a topic we do not act on */
	WEBHOOK_KIND__COUNT
};

struct webhook_info {
	char shop[256];	       /* shop domain or store id */
	char delivery_id[128]; /* the platform's id: the dedupe key */
	char topic[64];
	enum webhook_kind kind;
	int64_t event_time; /* when the platform says it happened; 0 unknown */
	/*
	 * Set with a failed classify_webhook: the signed body contradicts
	 * the unsigned headers (another shop, another topic's shape), so
	 * the delivery is refused as unauthenticated, not as malformed.
	 */
	bool mismatch;
};

struct install_result {
	char shop[256];	 /* domain or store id */
	char token[512]; /* the API token, in clear: seal it at once */
	char scopes[512];
	/* an expiring token's: "" and 0 for a token that does not expire */
	char refresh_token[512];
	int64_t expires_in;	    /* seconds the access token lasts */
	int64_t refresh_expires_in; /* seconds the refresh token lasts */
};

/* A webhook topic's state on the platform, as a check found it. */
enum topic_state { TOPIC_OK, TOPIC_MISSING, TOPIC_REFUSED };

struct topic_check {
	char topic[64];
	enum topic_state state;
	char message[256]; /* the platform's words when refused */
};

#define PROVIDER_MAX_TOPICS 16

/* What to create on the platform. Money in minor units of currency. */
struct reward_request {
	const char *code; /* ours, derived from the reward id */
	const char *title;
	bool percent; /* value is basis points, else money */
	int64_t value;
	const char *currency;
	int exponent;
	const char *customer_id; /* limit to this customer; NULL: anyone */
	int64_t usage_limit;	 /* 0: unlimited */
};

/*
 * What a platform said about its rate limit on the last answer, so that
 * the core can pace calls instead of bouncing off the limit. Zeros: the
 * platform said nothing.
 */
struct rate_hint {
	int64_t available; /* points or calls left now */
	int64_t capacity;  /* bucket size */
	int64_t restore;   /* points or calls restored per second */
	int64_t cost;	   /* what one such call costs */
};

struct reward_result {
	char platform_id[128];
	char code[64];
	int64_t retry_after_ms; /* with PROVIDER_RETRY: how long to wait */
	/*
	 * With PROVIDER_RETRY: the platform's rate limit said wait, which is
	 * no fault of the call (nothing was done) and no reason to back off
	 * further than retry_after_ms.
	 */
	bool throttled;
	struct rate_hint rate;
};

struct shop_info {
	char name[256];
	char currency[4];
	char email[256];
};

/*
 * Where list_orders is: next is "" at the start and after the last page.
 * An order of a page that cannot be read is skipped, not fatal: it is
 * counted in skipped (the first reason in skip_error) and the page goes
 * on, so one bad order on a store never stops reconciliation.
 */
struct order_page_cursor {
	char next[1024];
	int64_t retry_after_ms;
	int64_t skipped;
	char skip_error[256];
	/*
	 * What the pass could not see and the core must say (Shopify's
	 * 60-day window without read_all_orders); "" when nothing.
	 */
	char note[256];
};

/* A platform's translator; opaque to the core (provider_int.h). */
struct provider;

/* The provider named name, or NULL. */
const struct provider *provider_find(const char *name);
/* The i-th provider of the registry, or NULL past the last. */
const struct provider *provider_at(size_t i);
const char *provider_status_str(enum provider_status s);
const char *webhook_kind_str(enum webhook_kind k);

/* "shopify": the config section, URL segment and shops' platform column. */
const char *provider_name(const struct provider *p);
/* Whether p can do every one of caps (enum provider_cap bits). */
bool provider_has(const struct provider *p, unsigned caps);
/*
 * The storefront script that carries ref into the order (served at
 * /storefront/<name>.js); NULL when the platform needs none.
 */
const char *provider_storefront_js(const struct provider *p);
/*
 * What a merchant page shown in the platform's admin frame runs after the
 * platform's own script (served at /embed/<name>.js); NULL when none.
 */
const char *provider_admin_frame_js(const struct provider *p);
/*
 * The home page of p's shop with domain when the platform can tell it:
 * written to out, true. False when it cannot (out untouched).
 */
bool provider_landing_default(const struct provider *p, const char *domain,
			      char *out, size_t n);
/*
 * Whether url (already a valid http(s) URL) may be a landing page of p's
 * shop with domain: false when the platform trusts only its own
 * addresses for the shop and url is none of them.
 */
bool provider_landing_allowed(const struct provider *p, const char *domain,
			      const char *url);
/* The keys of p's config section (static storage), their count in *n. */
const struct provider_key *provider_keys(const struct provider *p, size_t *n);
/*
 * Appends a line ("[section] key = value is ...\n") to out for each value
 * of p's section that works today but is about to stop, judged at now;
 * values[i] is the value of provider_keys(p)[i]. Returns the count of
 * lines, or -1 when out is full.
 */
int provider_config_warnings(const struct provider *p,
			     const char *const *values, int64_t now,
			     struct buf *out);

/* The wrappers the core calls (see the members above). */
int provider_install_redirect(const struct provider *p,
			      const struct provider_env *env,
			      const struct provider_request *req,
			      const char *state, struct buf *location,
			      char shop[256], struct buf *err);
enum provider_status provider_finish_install(const struct provider *p,
					     const struct provider_env *env,
					     const struct provider_request *req,
					     struct install_result *out,
					     struct buf *err);
int provider_open_app_payload(const struct provider *p,
			      const struct platform_config *cfg,
			      const struct provider_request *req,
			      struct install_result *out, struct buf *err);
enum provider_status
provider_check_webhooks(const struct provider *p,
			const struct provider_env *env, const char *address,
			bool fix, struct topic_check out[PROVIDER_MAX_TOPICS],
			size_t *n, struct buf *err);
enum provider_status provider_refresh_token(const struct provider *p,
					    const struct provider_env *env,
					    const char *refresh_token,
					    struct install_result *out,
					    struct buf *err);
enum provider_status provider_migrate_token(const struct provider *p,
					    const struct provider_env *env,
					    struct install_result *out,
					    struct buf *err);
const char *topic_state_str(enum topic_state s);
enum provider_status provider_describe_shop(const struct provider *p,
					    const struct provider_env *env,
					    struct shop_info *out,
					    struct buf *err);
bool provider_verify_webhook(const struct provider *p,
			     const struct platform_config *cfg,
			     const struct provider_request *req);
const char *provider_webhook_claimed_shop(const struct provider *p,
					  const struct provider_request *req);
int provider_classify_webhook(const struct provider *p,
			      const struct provider_request *req,
			      struct webhook_info *out, struct buf *err);
int provider_parse_order(const struct provider *p, const char *json, size_t len,
			 struct order *out, struct buf *err);
int provider_parse_order_ref(const struct provider *p, const char *json,
			     size_t len, char *order_id, size_t n,
			     struct buf *err);
int provider_parse_refund(const struct provider *p, const char *json,
			  size_t len, char *order_id, size_t n,
			  struct order_refund *out, struct buf *err);
int provider_parse_privacy(const struct provider *p, const char *json,
			   size_t len, char *customer_id, size_t idn,
			   char *email, size_t emailn, struct buf *err);
enum provider_status provider_fetch_order(const struct provider *p,
					  const struct provider_env *env,
					  const char *order_id,
					  struct order *out, struct buf *err);
/* PROVIDER_UNSUPPORTED when the platform has no refund read. */
enum provider_status
provider_fetch_refund(const struct provider *p, const struct provider_env *env,
		      const char *order_id, const char *refund_id,
		      struct order_refund *out, struct buf *err);
enum provider_status
provider_list_orders(const struct provider *p, const struct provider_env *env,
		     int64_t since, struct order_page_cursor *cursor,
		     int (*fn)(void *ctx, const struct order *o), void *ctx,
		     struct buf *err);
enum provider_status provider_create_coupon(const struct provider *p,
					    const struct provider_env *env,
					    const struct reward_request *req,
					    struct reward_result *out,
					    struct buf *err);
enum provider_status provider_find_coupon(const struct provider *p,
					  const struct provider_env *env,
					  const char *code,
					  struct reward_result *out,
					  struct buf *err);
enum provider_status provider_create_gift_card(const struct provider *p,
					       const struct provider_env *env,
					       const struct reward_request *req,
					       struct reward_result *out,
					       struct buf *err);
enum provider_status provider_find_gift_card(const struct provider *p,
					     const struct provider_env *env,
					     const char *code,
					     struct reward_result *out,
					     struct buf *err);

/* "{shop}" in a base URL replaced by the shop's domain, into out. */
int provider_base_url(const char *base, const char *shop,
		      struct buf *out) WARN_UNUSED_RESULT;

#endif
