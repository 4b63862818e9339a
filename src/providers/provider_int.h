/*
 * The table a platform fills: one `const struct provider` per platform,
 * in providers/<name>/<name>.c, with designated initializers. Only the
 * files under providers/ include this (and the tests of a provider's
 * table); the core sees the opaque handle of provider.h. Optional
 * members are NULL, and a member whose presence is a capability comes
 * with its bit in caps, which is what the core asks.
 */
#ifndef AFFILIATED_PROVIDER_INT_H
#define AFFILIATED_PROVIDER_INT_H

#include "providers/provider.h"

struct provider {
	const char *name; /* "shopify": config section and URL segment */
	unsigned caps;	  /* enum provider_cap */
	/* the keys of its config section, in the order check-config shows */
	const struct provider_key *keys;
	size_t n_keys;
	/*
	 * Judges the section's values (values[i] is keys[i]'s) as
	 * provider_config_warnings() says; NULL when nothing can age.
	 */
	int (*config_warnings)(const char *const *values, int64_t now,
			       struct buf *out);

	/*
	 * Checks an install request and writes the platform's authorize URL
	 * (with state, our scopes and redirect URI) into location; shop gets
	 * the shop domain when the request names one ("" otherwise).
	 */
	int (*install_redirect)(const struct provider_env *env,
				const struct provider_request *req,
				const char *state, struct buf *location,
				char shop[256], struct buf *err);
	/* Checks the OAuth callback and exchanges the code for a token. */
	enum provider_status (*finish_install)(
		const struct provider_env *env,
		const struct provider_request *req, struct install_result *out,
		struct buf *err);
	/*
	 * Lists the subscriptions the platform holds for address and says,
	 * for each topic we need, ok, missing or refused; with fix, creates
	 * the missing ones first (the uninstall topic before the others, and
	 * on past a refusal). *n gets the count. PROVIDER_OK when the check
	 * itself could be made, whatever the topics' states.
	 */
	enum provider_status (*check_webhooks)(
		const struct provider_env *env, const char *address, bool fix,
		struct topic_check out[PROVIDER_MAX_TOPICS], size_t *n,
		struct buf *err);
	/*
	 * Trades a refresh token for a new access token and a new refresh
	 * token (the old one dies once the new one is used). The env's shop
	 * names the shop; its token is not sent. Set with
	 * PROVIDER_CAN_REFRESH_TOKEN.
	 */
	enum provider_status (*refresh_token)(const struct provider_env *env,
					      const char *refresh_token,
					      struct install_result *out,
					      struct buf *err);
	/*
	 * Trades the env's shop's token that does not expire (an install
	 * from before expiring tokens) for an expiring pair; the old token
	 * stops working. NULL when the platform has no such exchange (set
	 * PROVIDER_CAN_MIGRATE_TOKEN with it).
	 */
	enum provider_status (*migrate_token)(const struct provider_env *env,
					      struct install_result *out,
					      struct buf *err);
	/* Shop name and currency. */
	enum provider_status (*describe_shop)(const struct provider_env *env,
					      struct shop_info *out,
					      struct buf *err);

	/* Signature of a delivery, on the raw body, before any parsing. */
	bool (*verify_webhook)(const struct platform_config *cfg,
			       const struct provider_request *req);
	/*
	 * The shop a delivery says it is for, from its headers alone (it is
	 * not verified yet): whose own webhook secret to try when the app's
	 * fails. NULL when the platform has no per-shop secrets (set with
	 * PROVIDER_SHOP_SECRETS).
	 */
	const char *(*webhook_claimed_shop)(const struct provider_request *req);
	/* Shop, delivery id, topic and kind of a verified delivery. */
	int (*classify_webhook)(const struct provider_request *req,
				struct webhook_info *out, struct buf *err);

	/* Platform order JSON into the neutral order; pure, no I/O. */
	int (*parse_order)(const char *json, size_t len, struct order *out,
			   struct buf *err);
	/*
	 * A WEBHOOK_ORDER_REF body: the order id to fetch and, for a
	 * delivery that is an uninstall etc., nothing. Pure.
	 */
	int (*parse_order_ref)(const char *json, size_t len, char *order_id,
			       size_t n, struct buf *err);
	/* A WEBHOOK_REFUND body: the order id and the refund. Pure. */
	int (*parse_refund)(const char *json, size_t len, char *order_id,
			    size_t n, struct order_refund *out,
			    struct buf *err);
	/*
	 * A privacy delivery: the customer id and email to erase or export
	 * (either may come back "").
	 */
	int (*parse_privacy)(const char *json, size_t len, char *customer_id,
			     size_t idn, char *email, size_t emailn,
			     struct buf *err);

	enum provider_status (*fetch_order)(const struct provider_env *env,
					    const char *order_id,
					    struct order *out, struct buf *err);
	/*
	 * One refund of an order as the platform's API knows it, for a
	 * refund webhook that cannot say what it returned (base -1). out->id
	 * is owned by the caller on PROVIDER_OK.
	 */
	enum provider_status (*fetch_refund)(const struct provider_env *env,
					     const char *order_id,
					     const char *refund_id,
					     struct order_refund *out,
					     struct buf *err);
	/*
	 * Orders updated since a time, one page per call: fn gets each order
	 * already parsed. cursor->next is "" at the start and the end.
	 */
	enum provider_status (*list_orders)(const struct provider_env *env,
					    int64_t since,
					    struct order_page_cursor *cursor,
					    int (*fn)(void *ctx,
						      const struct order *o),
					    void *ctx, struct buf *err);

	enum provider_status (*create_coupon)(const struct provider_env *env,
					      const struct reward_request *req,
					      struct reward_result *out,
					      struct buf *err);
	enum provider_status (*find_coupon)(const struct provider_env *env,
					    const char *code,
					    struct reward_result *out,
					    struct buf *err);
	enum provider_status (*create_gift_card)(
		const struct provider_env *env,
		const struct reward_request *req, struct reward_result *out,
		struct buf *err);
	enum provider_status (*find_gift_card)(const struct provider_env *env,
					       const char *code,
					       struct reward_result *out,
					       struct buf *err);
	/*
	 * Opens what the platform passes when the app is opened inside its
	 * admin (Ecwid's encrypted payload): the shop and its API token, so
	 * that the merchant can be signed in. NULL when the platform has none.
	 */
	int (*open_app_payload)(const struct platform_config *cfg,
				const struct provider_request *req,
				struct install_result *out, struct buf *err);
	/*
	 * The storefront script that carries ref into the order (served at
	 * /storefront/<name>.js); NULL when the platform needs none.
	 */
	const char *storefront_js;
	/*
	 * What a merchant page shown in the platform's admin frame runs after
	 * the platform's own script (cfg admin_script_url), served at
	 * /embed/<name>.js; its script tag carries data-app-id, the client
	 * id. Ecwid shows an app's page only once it says so through its SDK.
	 * NULL when the platform needs nothing.
	 */
	const char *admin_frame_js;
	/*
	 * The shop's home page when the platform can tell it from the shop's
	 * domain (an Ecwid store id names its company.site address): writes
	 * it to out and answers true. NULL or false: the core guesses.
	 */
	bool (*landing_default)(const char *domain, char *out, size_t n);
	/*
	 * Whether an http(s) url may be a landing page of the shop with
	 * domain: only addresses the platform vouches belong to the shop.
	 * NULL: any URL.
	 */
	bool (*landing_allowed)(const char *domain, const char *url);
};

/* The registry's members (provider.c); one line per platform. */
extern const struct provider shopify_provider, ecwid_provider;

#endif
