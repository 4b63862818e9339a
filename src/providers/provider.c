/*
 * The registry and the only place that calls through a provider's
 * function pointers: each call is timed, logged as one event and counted
 * in the metrics by provider, operation and status.
 */
#include "providers/provider_int.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/clock.h"

#include <stdio.h>
#include <string.h>

static const struct provider *const providers[] = {
	&shopify_provider,
	&ecwid_provider,
	NULL,
};

static const char *const status_names[PROVIDER_STATUS__COUNT] = {
	"ok",		/* PROVIDER_OK */
	"exists",	/* PROVIDER_EXISTS */
	"retry",	/* PROVIDER_RETRY */
	"rejected",	/* PROVIDER_REJECTED */
	"unsupported",	/* PROVIDER_UNSUPPORTED */
	"unauthorized", /* PROVIDER_UNAUTHORIZED */
	"not_found",	/* PROVIDER_NOT_FOUND */
};

static const char *const kind_names[WEBHOOK_KIND__COUNT] = {
	"order",	   /* WEBHOOK_ORDER */
	"order_ref",	   /* WEBHOOK_ORDER_REF */
	"refund",	   /* WEBHOOK_REFUND */
	"uninstalled",	   /* WEBHOOK_UNINSTALLED */
	"data_request",	   /* WEBHOOK_DATA_REQUEST */
	"customer_redact", /* WEBHOOK_CUSTOMER_REDACT */
	"shop_redact",	   /* WEBHOOK_SHOP_REDACT */
	"ignored",	   /* WEBHOOK_IGNORED */
};

const struct provider *provider_find(const char *name)
{
	int i;

	for (i = 0; name && providers[i]; i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

const struct provider *provider_at(size_t i)
{
	size_t n = sizeof(providers) / sizeof(providers[0]) - 1;

	return i < n ? providers[i] : NULL;
}

const char *provider_name(const struct provider *p)
{
	return p->name;
}

bool provider_has(const struct provider *p, unsigned caps)
{
	return (p->caps & caps) == caps;
}

const char *provider_storefront_js(const struct provider *p)
{
	return p->storefront_js;
}

const char *provider_admin_frame_js(const struct provider *p)
{
	return p->admin_frame_js;
}

bool provider_landing_default(const struct provider *p, const char *domain,
			      char *out, size_t n)
{
	return p->landing_default && p->landing_default(domain, out, n);
}

bool provider_landing_allowed(const struct provider *p, const char *domain,
			      const char *url)
{
	return !p->landing_allowed || p->landing_allowed(domain, url);
}

const struct provider_key *provider_keys(const struct provider *p, size_t *n)
{
	*n = p->n_keys;
	return p->keys;
}

int provider_config_warnings(const struct provider *p,
			     const char *const *values, int64_t now,
			     struct buf *out)
{
	return p->config_warnings ? p->config_warnings(values, now, out) : 0;
}

const char *provider_status_str(enum provider_status s)
{
	return s < PROVIDER_STATUS__COUNT ? status_names[s] : "unknown";
}

const char *webhook_kind_str(enum webhook_kind k)
{
	return k < WEBHOOK_KIND__COUNT ? kind_names[k] : "unknown";
}

static void observe(const struct provider *p, const char *op,
		    const char *status, uint64_t start, const struct buf *err)
{
	char labels[160];
	uint64_t usec = clock_usec() - start;

	snprintf(labels, sizeof(labels),
		 "provider=\"%s\",op=\"%s\",status=\"%s\"", p->name, op,
		 status);
	metrics_inc(metrics_counter("affiliated_provider_calls_total",
				    "Calls into platform providers", labels));
	if (err && err->len && strcmp(status, "ok") != 0)
		log_info("provider.call",
			 "provider=%s op=%s status=%s usec=%llu error=\"%s\"",
			 p->name, op, status, (unsigned long long)usec,
			 buf_str(err));
	else
		log_debug("provider.call",
			  "provider=%s op=%s status=%s usec=%llu", p->name, op,
			  status, (unsigned long long)usec);
}

/* A wrapper for a member returning enum provider_status. */
#define STATUS_CALL(member, ...)                                          \
	do {                                                              \
		uint64_t start = clock_usec();                            \
		enum provider_status st;                                  \
		if (!p->member) {                                         \
			errorf(err, "%s cannot " #member, p->name);       \
			return PROVIDER_UNSUPPORTED;                      \
		}                                                         \
		st = p->member(__VA_ARGS__);                              \
		observe(p, #member, provider_status_str(st), start, err); \
		return st;                                                \
	} while (0)

/*
 * Before the call: a token about to expire is refreshed. After it: a
 * token the platform refused is refreshed once and the call made again,
 * since another thread or process may have rotated it, or it expired in
 * between. Without a keeper the token is used as it is.
 */
static enum provider_status token_before(const struct provider_env *env,
					 struct buf *err)
{
	if (!env->tokens || !env->tokens->due(env->tokens, env->now))
		return PROVIDER_OK;
	return env->tokens->refresh(env->tokens, false, err);
}

static bool token_again(const struct provider_env *env, enum provider_status st,
			struct buf *err)
{
	struct buf why;
	bool again;

	if (st != PROVIDER_UNAUTHORIZED || !env->tokens)
		return false;
	buf_init(&why, BUF_SMALL);
	again = env->tokens->refresh(env->tokens, true, &why) == PROVIDER_OK;
	if (again)
		buf_reset(err);
	else if (why.len &&
		 (buf_puts(err, "; ") < 0 || buf_puts(err, buf_str(&why)) < 0))
		errorf(err, "%s", buf_str(&why));
	buf_release(&why);
	return again;
}

/* STATUS_CALL for the members that call the platform's API with a token. */
#define API_CALL(member, env, ...)                                        \
	do {                                                              \
		uint64_t start = clock_usec();                            \
		enum provider_status st;                                  \
		if (!p->member) {                                         \
			errorf(err, "%s cannot " #member, p->name);       \
			return PROVIDER_UNSUPPORTED;                      \
		}                                                         \
		st = token_before(env, err);                              \
		if (st == PROVIDER_OK) {                                  \
			st = p->member(env, __VA_ARGS__);                 \
			if (token_again(env, st, err))                    \
				st = p->member(env, __VA_ARGS__);         \
		}                                                         \
		observe(p, #member, provider_status_str(st), start, err); \
		return st;                                                \
	} while (0)

/* A wrapper for a member returning 0 or -1. */
#define INT_CALL(member, ...)                                              \
	do {                                                               \
		uint64_t start = clock_usec();                             \
		int rc;                                                    \
		if (!p->member)                                            \
			return errorf(err, "%s cannot " #member, p->name); \
		rc = p->member(__VA_ARGS__);                               \
		observe(p, #member, rc == 0 ? "ok" : "error", start, err); \
		return rc;                                                 \
	} while (0)

int provider_install_redirect(const struct provider *p,
			      const struct provider_env *env,
			      const struct provider_request *req,
			      const char *state, struct buf *location,
			      char shop[256], struct buf *err)
{
	INT_CALL(install_redirect, env, req, state, location, shop, err);
}

enum provider_status provider_finish_install(const struct provider *p,
					     const struct provider_env *env,
					     const struct provider_request *req,
					     struct install_result *out,
					     struct buf *err)
{
	STATUS_CALL(finish_install, env, req, out, err);
}

int provider_open_app_payload(const struct provider *p,
			      const struct platform_config *cfg,
			      const struct provider_request *req,
			      struct install_result *out, struct buf *err)
{
	if (!cfg->client_secret[0])
		return errorf(err, "%s is not configured", p->name);
	INT_CALL(open_app_payload, cfg, req, out, err);
}

enum provider_status
provider_check_webhooks(const struct provider *p,
			const struct provider_env *env, const char *address,
			bool fix, struct topic_check out[PROVIDER_MAX_TOPICS],
			size_t *n, struct buf *err)
{
	*n = 0;
	API_CALL(check_webhooks, env, address, fix, out, n, err);
}

enum provider_status provider_refresh_token(const struct provider *p,
					    const struct provider_env *env,
					    const char *refresh_token,
					    struct install_result *out,
					    struct buf *err)
{
	STATUS_CALL(refresh_token, env, refresh_token, out, err);
}

enum provider_status provider_migrate_token(const struct provider *p,
					    const struct provider_env *env,
					    struct install_result *out,
					    struct buf *err)
{
	STATUS_CALL(migrate_token, env, out, err);
}

const char *topic_state_str(enum topic_state s)
{
	static const char *const names[] = {"ok", "missing", "refused"};

	return s <= TOPIC_REFUSED ? names[s] : "unknown";
}

enum provider_status provider_describe_shop(const struct provider *p,
					    const struct provider_env *env,
					    struct shop_info *out,
					    struct buf *err)
{
	API_CALL(describe_shop, env, out, err);
}

bool provider_verify_webhook(const struct provider *p,
			     const struct platform_config *cfg,
			     const struct provider_request *req)
{
	uint64_t start = clock_usec();
	bool ok;

	if (!p->verify_webhook || !cfg->client_secret[0])
		return false;
	ok = p->verify_webhook(cfg, req);
	observe(p, "verify_webhook", ok ? "ok" : "bad_signature", start, NULL);
	return ok;
}

const char *provider_webhook_claimed_shop(const struct provider *p,
					  const struct provider_request *req)
{
	return p->webhook_claimed_shop ? p->webhook_claimed_shop(req) : NULL;
}

int provider_classify_webhook(const struct provider *p,
			      const struct provider_request *req,
			      struct webhook_info *out, struct buf *err)
{
	INT_CALL(classify_webhook, req, out, err);
}

int provider_parse_order(const struct provider *p, const char *json, size_t len,
			 struct order *out, struct buf *err)
{
	INT_CALL(parse_order, json, len, out, err);
}

int provider_parse_order_ref(const struct provider *p, const char *json,
			     size_t len, char *order_id, size_t n,
			     struct buf *err)
{
	INT_CALL(parse_order_ref, json, len, order_id, n, err);
}

int provider_parse_refund(const struct provider *p, const char *json,
			  size_t len, char *order_id, size_t n,
			  struct order_refund *out, struct buf *err)
{
	INT_CALL(parse_refund, json, len, order_id, n, out, err);
}

int provider_parse_privacy(const struct provider *p, const char *json,
			   size_t len, char *customer_id, size_t idn,
			   char *email, size_t emailn, struct buf *err)
{
	INT_CALL(parse_privacy, json, len, customer_id, idn, email, emailn,
		 err);
}

enum provider_status provider_fetch_order(const struct provider *p,
					  const struct provider_env *env,
					  const char *order_id,
					  struct order *out, struct buf *err)
{
	API_CALL(fetch_order, env, order_id, out, err);
}

enum provider_status
provider_fetch_refund(const struct provider *p, const struct provider_env *env,
		      const char *order_id, const char *refund_id,
		      struct order_refund *out, struct buf *err)
{
	API_CALL(fetch_refund, env, order_id, refund_id, out, err);
}

enum provider_status
provider_list_orders(const struct provider *p, const struct provider_env *env,
		     int64_t since, struct order_page_cursor *cursor,
		     int (*fn)(void *ctx, const struct order *o), void *ctx,
		     struct buf *err)
{
	API_CALL(list_orders, env, since, cursor, fn, ctx, err);
}

enum provider_status provider_create_coupon(const struct provider *p,
					    const struct provider_env *env,
					    const struct reward_request *req,
					    struct reward_result *out,
					    struct buf *err)
{
	API_CALL(create_coupon, env, req, out, err);
}

enum provider_status provider_find_coupon(const struct provider *p,
					  const struct provider_env *env,
					  const char *code,
					  struct reward_result *out,
					  struct buf *err)
{
	API_CALL(find_coupon, env, code, out, err);
}

enum provider_status provider_create_gift_card(const struct provider *p,
					       const struct provider_env *env,
					       const struct reward_request *req,
					       struct reward_result *out,
					       struct buf *err)
{
	if (!provider_has(p, PROVIDER_CAN_GIFT_CARD)) {
		errorf(err, "%s does not issue gift cards", p->name);
		return PROVIDER_UNSUPPORTED;
	}
	API_CALL(create_gift_card, env, req, out, err);
}

enum provider_status provider_find_gift_card(const struct provider *p,
					     const struct provider_env *env,
					     const char *code,
					     struct reward_result *out,
					     struct buf *err)
{
	API_CALL(find_gift_card, env, code, out, err);
}

int provider_base_url(const char *base, const char *shop, struct buf *out)
{
	const char *hole = strstr(base, "{shop}");

	if (!hole)
		return buf_puts(out, base);
	if (buf_append(out, base, (size_t)(hole - base)) < 0 ||
	    buf_puts(out, shop) < 0)
		return -1;
	return buf_puts(out, hole + 6);
}
