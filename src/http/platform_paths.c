/*
 * Paths the platforms and their installs use: webhook deliveries (taken
 * by runtime/intake.c), the OAuth install and callback, and the
 * storefront snippets.
 */
#include "runtime/app.h"
#include "http/merchant.h"
#include "util/crypto.h"
#include "http/pages.h"
#include "http/router.h"
#include "http/session.h"
#include "runtime/intake.h"
#include "store/store_inbox.h"
#include "util/log.h"
#include "util/metrics.h"
#include "platform.h"
#include "shop_access.h"
#include "store/store_outbox.h"
#include "store/store_shops.h"
#include "runtime/reward_sender.h"
#include "token_refresh.h"
#include "webhook_check.h"
#include "store/store_platform.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "runtime/webhook_confirm.h"
#include "runtime/webhook_secrets.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_TTL 600

static const char *req_header(const void *ctx, const char *name)
{
	return request_header(ctx, name);
}

static const char *req_query(const void *ctx, const char *name)
{
	return request_query(ctx, name);
}

static void req_each(const void *ctx,
		     int (*fn)(void *arg, const char *key, const char *value),
		     void *arg)
{
	request_query_each(ctx, fn, arg);
}

static void provider_request_of(struct request *req,
				struct provider_request *out)
{
	out->body = req->body.data ? req->body.data : "";
	out->len = req->body.len;
	out->header = req_header;
	out->query = req_query;
	out->each_query = req_each;
	out->ctx = req;
}

/*
 * A delivery: intake.c decides, and its table gives the answer, the
 * metric and the log line. 200 means committed.
 */
static void page_webhook(struct app *app, struct request *req,
			 struct response *resp)
{
	struct provider_request pr;
	struct intake_result r;
	struct buf answer;
	int status;

	provider_request_of(req, &pr);
	intake_take(app, request_param(req, 0), &pr, &r);
	buf_init(&answer, BUF_SMALL);
	status = intake_report(&r, &answer);
	if (status < 300)
		response_text(resp, status, "application/json",
			      buf_str(&answer));
	else
		response_error(resp, status, "%s", buf_str(&answer));
	buf_release(&answer);
	intake_result_release(&r);
}

static void fill_env(struct provider_env *env, const struct platform *p,
		     const struct provider_shop *shop, struct http_client *http)
{
	env->cfg = &p->cfg;
	env->shop = shop;
	env->http = http;
	env->now = clock_now();
	env->tokens = NULL;
}

static bool public_https(const struct app *app)
{
	return strncmp(config_get(app->cfg, CFG_SERVER_PUBLIC_URL),
		       "https:", 6) == 0;
}

static void page_install(struct app *app, struct request *req,
			 struct response *resp)
{
	const struct platform *p;
	struct provider_request pr;
	struct provider_env env;
	struct store_tx *tx = NULL;
	struct buf state, location, err, cookie;
	char shop[256] = "";

	buf_init(&state, 128);
	buf_init(&location, 8192);
	buf_init(&err, BUF_SMALL);
	buf_init(&cookie, 512);
	p = platforms_find_app(&app->platforms, request_param(req, 0), &err);
	if (!p) {
		response_error(resp, 404, "%s", buf_str(&err));
		goto out;
	}
	provider_request_of(req, &pr);
	fill_env(&env, p, NULL, NULL);
	if (crypto_token_hex(&state, 32) < 0 ||
	    provider_install_redirect(p->provider, &env, &pr, state.data,
				      &location, shop, &err) < 0) {
		log_warn("install.refused", "platform=%s error=\"%s\"",
			 provider_name(p->provider), buf_str(&err));
		response_error(resp, 400, "install refused: %s", buf_str(&err));
		goto out;
	}
	if (store_tx_begin(app->store, &tx, &err) < 0 ||
	    store_state_put(tx, state.data, provider_name(p->provider), shop,
			    env.now + STATE_TTL, &err) < 0 ||
	    store_tx_finish(&tx, &err) < 0) {
		store_tx_abandon(&tx);
		response_error(resp, 503, "storage unavailable");
		goto out;
	}
	/* The nonce is also bound to this browser: a cookie for the callback.
	 */
	if (buf_printf(&cookie,
		       "aff_install=%s; Path=/auth/%s/callback; HttpOnly; "
		       "SameSite=Lax; Max-Age=%d%s",
		       state.data, provider_name(p->provider), STATE_TTL,
		       public_https(app) ? "; Secure" : "") < 0)
		BUG("cookie too long");
	response_header(resp, "Set-Cookie", cookie.data);
	response_redirect(resp, 302, location.data);
	log_info("install.started", "platform=%s shop=%s",
		 provider_name(p->provider), shop);
out:
	buf_release(&state);
	buf_release(&location);
	buf_release(&err);
	buf_release(&cookie);
}

/* The callback's state: taken once, unexpired, and this browser's. */
static int check_state(struct app *app, struct request *req,
		       const struct platform *p, char shop[256],
		       struct buf *err)
{
	const char *state = request_query(req, "state");
	const char *cookie = request_cookie(req, "aff_install");
	struct store_tx *tx;
	int rc;

	shop[0] = '\0';
	if (!state || !state[0]) {
		if (provider_has(p->provider, PROVIDER_UNSOLICITED_INSTALL))
			return 0;
		return errorf(err, "the callback carries no state");
	}
	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_state_take(tx, state, provider_name(p->provider),
			      clock_now(), shop, err);
	if (store_tx_commit(tx, err) < 0 || rc < 0)
		return -1;
	if (rc == 0)
		return errorf(err, "unknown, expired or already used state");
	if (!cookie ||
	    !crypto_equal(cookie, strlen(cookie), state, strlen(state)))
		return errorf(err, "the state was issued to another browser");
	return 0;
}

/* A failed reload is not the install's: the next second's load retries. */
static void reload_shops(struct app *app)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (webhook_secrets_load(app->webhook_secrets, app->store, &err) < 0)
		log_error("webhook_secrets.reload_failed", "error=\"%s\"",
			  buf_str(&err));
	buf_release(&err);
}

static int save_shop(struct app *app, const struct platform *p,
		     const struct install_result *res,
		     const struct shop_info *info, int64_t *id, struct buf *err)
{
	struct shop shop;
	struct store_tx *tx = NULL;
	struct shop_tokens tokens = {NULL, NULL, 0, 0, 0};
	struct buf sealed, sealed_refresh;
	int64_t now = clock_now();
	int rc = -1;

	memset(&shop, 0, sizeof(shop));
	buf_init(&sealed, 8192);
	buf_init(&sealed_refresh, 8192);
	shop.platform = xstrdup(provider_name(p->provider));
	shop.domain = xstrdup(res->shop);
	shop.name = xstrdup(info->name);
	shop.currency = xstrdup(info->currency);
	shop.scopes = xstrdup(res->scopes);
	if (res->refresh_token[0]) {
		tokens.expires_at = now + res->expires_in;
		tokens.refresh_at = token_refresh_at(now, res->expires_in);
		tokens.refresh_expires_at =
			res->refresh_expires_in > 0
				? now + res->refresh_expires_in
				: 0;
	}
	if (shop_seal_token(provider_name(p->provider), res->shop, res->token,
			    &sealed, err) == 0 &&
	    (!res->refresh_token[0] ||
	     shop_seal_token(provider_name(p->provider), res->shop,
			     res->refresh_token, &sealed_refresh, err) == 0) &&
	    store_tx_begin(app->store, &tx, err) == 0) {
		tokens.access = sealed.data;
		tokens.refresh =
			res->refresh_token[0] ? sealed_refresh.data : NULL;
		rc = store_shop_put(tx, &shop, &tokens, id, err);
		/* Rewards that waited for this sign-in go out now. */
		if (rc == 0)
			rc = store_rewards_wake_shop(tx, *id, err);
		if (rc == 0)
			rc = store_tx_commit(tx, err);
		else
			store_tx_rollback(tx);
		if (rc == 0)
			reward_sender_notify(app->sender);
	}
	/* Its first deliveries follow at once: intake knows it from now. */
	if (rc == 0)
		reload_shops(app);
	buf_release(&sealed);
	buf_release(&sealed_refresh);
	shop_release(&shop);
	return rc;
}

/* Tells the merchant what failed, in words, as JSON (an API-like path). */
static void install_failed(struct response *resp, int status,
			   const struct platform *p, const char *what,
			   const struct buf *err)
{
	log_warn("install.failed", "platform=%s step=%s error=\"%s\"",
		 provider_name(p->provider), what, buf_str(err));
	response_error(resp, status, "install failed at %s: %s", what,
		       buf_str(err));
}

/*
 * Subscribes the webhooks through the platform's API, where it has one,
 * and records each topic's state: a refused topic does not fail the
 * install (the merchant's admin says what is missing and why).
 */
static void subscribe_webhooks(struct app *app, const struct platform *p,
			       int64_t shop_id)
{
	struct webhook_check check;
	struct buf err;

	if (!provider_has(p->provider, PROVIDER_CAN_API_WEBHOOKS))
		return;
	buf_init(&err, BUF_SMALL);
	if (webhook_check_shop(app->store, &app->platforms, app->cfg, shop_id,
			       true, &check, &err) < 0 ||
	    check.error[0])
		log_error("install.webhooks_failed",
			  "platform=%s shop_id=%lld error=\"%s%s\"",
			  provider_name(p->provider), (long long)shop_id,
			  buf_str(&err), check.error);
	buf_release(&err);
}

static void page_callback(struct app *app, struct request *req,
			  struct response *resp)
{
	const struct platform *p;
	struct provider_request pr;
	struct provider_env env;
	struct provider_shop target = {0, NULL, NULL, NULL};
	struct install_result res;
	struct shop_info info;
	struct http_client *http = http_client_new(15000);
	struct buf err;
	enum provider_status st;
	char shop[256];
	int64_t shop_id;
	bool solicited;

	buf_init(&err, BUF_SMALL);
	memset(&res, 0, sizeof(res));
	p = platforms_find_app(&app->platforms, request_param(req, 0), &err);
	if (!p) {
		response_error(resp, 404, "%s", buf_str(&err));
		goto out;
	}
	if (check_state(app, req, p, shop, &err) < 0) {
		install_failed(resp, 400, p, "state", &err);
		goto out;
	}
	/* check_state accepted it: a state present is this browser's. */
	solicited =
		request_query(req, "state") && request_query(req, "state")[0];
	provider_request_of(req, &pr);
	fill_env(&env, p, NULL, http);
	st = provider_finish_install(p->provider, &env, &pr, &res, &err);
	if (st != PROVIDER_OK) {
		install_failed(resp, st == PROVIDER_RETRY ? 502 : 400, p,
			       "token exchange", &err);
		goto out;
	}
	if (shop[0] && strcmp(shop, res.shop) != 0) {
		errorf(&err, "the state was issued for shop '%s', not '%s'",
		       shop, res.shop);
		install_failed(resp, 400, p, "state", &err);
		goto out;
	}
	target.domain = res.shop;
	target.token = res.token;
	fill_env(&env, p, &target, http);
	st = provider_describe_shop(p->provider, &env, &info, &err);
	if (st != PROVIDER_OK) {
		install_failed(resp, 502, p, "reading the shop", &err);
		goto out;
	}
	if (save_shop(app, p, &res, &info, &shop_id, &err) < 0) {
		install_failed(resp, 503, p, "saving the shop", &err);
		goto out;
	}
	subscribe_webhooks(app, p, shop_id);
	log_info("install.done", "platform=%s shop=%s shop_id=%lld",
		 provider_name(p->provider), res.shop, (long long)shop_id);
	/*
	 * Our own install round trip (the state was this browser's) signs
	 * the merchant in: to the wizard after the first install, to the
	 * admin when the app is opened again. A callback nobody here started
	 * (an App Market install, or a link someone sent) asks first.
	 */
	if (!solicited) {
		merchant_offer_signin(app, req, resp, shop_id);
		goto out;
	}
	if (session_start_merchant(app, req, resp, shop_id, &err) < 0) {
		install_failed(resp, 503, p, "signing in", &err);
		goto out;
	}
	response_redirect(resp, 302, merchant_landing(app, shop_id));
out:
	OPENSSL_cleanse(&res, sizeof(res));
	http_client_free(http);
	buf_release(&err);
}

/* The shop a payload names, installed from the payload when it is new. */
static int payload_shop(struct app *app, const struct platform *p,
			const struct install_result *res, int64_t *shop_id,
			struct buf *err)
{
	struct provider_shop target = {0, res->shop, res->token, NULL};
	struct provider_env env;
	struct store_tx *tx;
	struct shop_info info;
	struct shop shop;
	int rc;

	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_shop_find(tx, provider_name(p->provider), res->shop, &shop,
			     err);
	if (rc == 1) {
		*shop_id = shop.id;
		if (strcmp(shop.status, "active") != 0)
			rc = 0;
		shop_release(&shop);
	}
	store_tx_rollback(tx);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* Opened before any OAuth install: the payload's token installs it. */
	env.http = http_client_new(15000);
	fill_env(&env, p, &target, env.http);
	rc = provider_describe_shop(p->provider, &env, &info, err) ==
			     PROVIDER_OK
		     ? save_shop(app, p, res, &info, shop_id, err)
		     : -1;
	http_client_free(env.http);
	return rc;
}

/* GET /app/<platform>: the app opened inside the platform's admin. */
static void page_app(struct app *app, struct request *req,
		     struct response *resp)
{
	const struct platform *p;
	struct provider_request pr;
	struct install_result res;
	struct buf err;
	int64_t shop_id;

	buf_init(&err, BUF_SMALL);
	memset(&res, 0, sizeof(res));
	p = platforms_find_app(&app->platforms, request_param(req, 0), &err);
	if (!p) {
		response_error(resp, 404, "%s", buf_str(&err));
		goto out;
	}
	provider_request_of(req, &pr);
	if (provider_open_app_payload(p->provider, &p->cfg, &pr, &res, &err) <
	    0) {
		log_warn("app.refused", "platform=%s error=\"%s\"",
			 provider_name(p->provider), buf_str(&err));
		response_error(resp, 401, "%s", buf_str(&err));
		goto out;
	}
	if (payload_shop(app, p, &res, &shop_id, &err) < 0) {
		install_failed(resp, 502, p, "reading the shop", &err);
		goto out;
	}
	log_info("app.opened", "platform=%s shop=%s framed=%d",
		 provider_name(p->provider), res.shop, request_in_frame(req));
	/*
	 * Only the admin origins may frame us (CSP frame-ancestors), so in a
	 * frame this is the platform's admin, signing in its own merchant.
	 * Opened at the top level the payload may be somebody else's, sent
	 * as a link: the merchant confirms the shop first.
	 */
	if (!request_in_frame(req)) {
		merchant_offer_signin(app, req, resp, shop_id);
		goto out;
	}
	if (session_start_merchant(app, req, resp, shop_id, &err) < 0) {
		install_failed(resp, 503, p, "signing in", &err);
		goto out;
	}
	response_redirect(resp, 302, merchant_landing(app, shop_id));
out:
	OPENSSL_cleanse(res.token, sizeof(res.token));
	buf_release(&err);
}

/* The provider whose script file "<name>.js" names, or NULL. */
static const struct provider *script_provider(const struct app *app,
					      const char *file)
{
	size_t n = strlen(file);
	int i;

	for (i = 0; i < app->platforms.n; i++) {
		const struct provider *p = app->platforms.items[i].provider;
		size_t len = strlen(provider_name(p));

		if (n == len + 3 && strncmp(file, provider_name(p), len) == 0 &&
		    strcmp(file + len, ".js") == 0)
			return p;
	}
	return NULL;
}

static void page_storefront(struct app *app, struct request *req,
			    struct response *resp)
{
	const char *file = request_param(req, 0);
	const struct provider *p = script_provider(app, file);

	if (!p || !provider_storefront_js(p)) {
		response_error(resp, 404, "no storefront script '%s'", file);
		return;
	}
	response_text(resp, 200, "application/javascript; charset=utf-8",
		      provider_storefront_js(p));
	response_header(resp, "Cache-Control", "public, max-age=3600");
	response_header(resp, "Access-Control-Allow-Origin", "*");
}

/* GET /embed/<platform>.js: what merchant pages run in the admin frame. */
static void page_embed_script(struct app *app, struct request *req,
			      struct response *resp)
{
	const char *file = request_param(req, 0);
	const struct provider *p = script_provider(app, file);

	if (!p || !provider_admin_frame_js(p)) {
		response_error(resp, 404, "no admin script '%s'", file);
		return;
	}
	response_text(resp, 200, "application/javascript; charset=utf-8",
		      provider_admin_frame_js(p));
	/* URLs carry the version (?v=). */
	response_header(resp, "Cache-Control", "public, max-age=86400");
}

const struct route platform_routes[] = {
	{"POST", "/webhooks/:platform", page_webhook},
	{"GET", "/install/:platform", page_install},
	{"GET", "/auth/:platform/callback", page_callback},
	{"GET", "/storefront/:file", page_storefront},
	{"GET", "/embed/:file", page_embed_script},
	{"GET", "/app/:platform", page_app},
	{NULL, NULL, NULL},
};
