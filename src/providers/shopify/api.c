/*
 * Shopify: the calls every other part makes: the Admin API's URLs,
 * GraphQL POSTs with the shop's token, and the mapping of
 * HTTP failures, throttling and userErrors to provider statuses.
 */
#include "providers/shopify/internal.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

/* A string or number member as text, NULL when absent or of another type. */
const char *shopify_str(const cJSON *obj, const char *key)
{
	const cJSON *v = json_get(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int shopify_url(const struct provider_env *env, const char *path,
		struct buf *url)
{
	if (provider_base_url(env->cfg->api_base, env->shop->domain, url) < 0 ||
	    buf_printf(url, "/admin/api/%s/%s", env->cfg->api_version, path) <
		    0)
		return -1;
	return 0;
}

/* Maps a transport failure or an HTTP status that is not 200. */
enum provider_status shopify_http_status(const struct http_result *r, int rc,
					 struct buf *err)
{
	if (rc < 0) {
		errorf(err, "no answer from Shopify: %s", r->error);
		return PROVIDER_RETRY;
	}
	if (r->status == 401 || r->status == 403) {
		errorf(err, "Shopify refused the token (HTTP %ld)", r->status);
		return PROVIDER_UNAUTHORIZED;
	}
	if (r->status == 404) {
		errorf(err, "not found on Shopify (HTTP 404)");
		return PROVIDER_NOT_FOUND;
	}
	if (r->status == 429 || r->status >= 500) {
		errorf(err, "Shopify answered HTTP %ld", r->status);
		return PROVIDER_RETRY;
	}
	if (r->status != 200 && r->status != 201) {
		errorf(err, "Shopify answered HTTP %ld: %.200s", r->status,
		       buf_str(&r->body));
		return PROVIDER_REJECTED;
	}
	return PROVIDER_OK;
}

int shopify_post_json(const struct provider_env *env, const char *url,
		      const struct buf *body, struct http_result *r)
{
	char auth[600];
	const char *headers[] = {"Content-Type: application/json",
				 "Accept: application/json", auth, NULL};
	struct http_call call = {"POST", url, headers, body->data, body->len};

	snprintf(auth, sizeof(auth), "X-Shopify-Access-Token: %s",
		 env->shop && env->shop->token ? env->shop->token : "");
	return http_client_do(env->http, &call, r);
}

/* The throttle status every GraphQL answer carries. */
static void shopify_rate(const cJSON *root, struct rate_hint *rate)
{
	const cJSON *cost = json_get(json_get(root, "extensions"), "cost");
	const cJSON *ts = json_get(cost, "throttleStatus");

	memset(rate, 0, sizeof(*rate));
	json_int(ts, "currentlyAvailable", 0, &rate->available, NULL);
	json_int(ts, "maximumAvailable", 0, &rate->capacity, NULL);
	json_int(ts, "restoreRate", 0, &rate->restore, NULL);
	json_int(cost, "requestedQueryCost", 0, &rate->cost, NULL);
}

/*
 * Runs one GraphQL call. On PROVIDER_OK *root holds the parsed answer
 * (caller frees) and its data object is checked for userErrors by the
 * caller. Throttling, access denial and HTTP failures are mapped here.
 */
enum provider_status shopify_graphql(const struct provider_env *env,
				     const struct buf *body, cJSON **root,
				     struct reward_result *res, struct buf *err)
{
	struct http_result r;
	struct buf url;
	const cJSON *e;
	const char *code, *msg;
	enum provider_status st;
	int rc;

	*root = NULL;
	buf_init(&url, 2048);
	http_result_init(&r);
	if (shopify_url(env, "graphql.json", &url) < 0) {
		st = PROVIDER_REJECTED;
		errorf(err, "GraphQL URL too long");
		goto out;
	}
	rc = shopify_post_json(env, url.data, body, &r);
	*root = rc == 0 ? json_parse(r.body.data, r.body.len, NULL) : NULL;
	if (*root && res)
		shopify_rate(*root, &res->rate);
	e = cJSON_GetArrayItem(json_get(*root, "errors"), 0);
	code = shopify_str(json_get(e, "extensions"), "code");
	if (code && strcmp(code, "THROTTLED") == 0) {
		st = PROVIDER_RETRY;
		if (res) {
			int64_t need = res->rate.cost - res->rate.available;

			/* The SDK's wait when the answer gives no better one.
			 */
			res->throttled = true;
			res->retry_after_ms = 1000;
			if (res->rate.restore > 0 && need > 0)
				res->retry_after_ms =
					need * 1000 / res->rate.restore + 1;
		}
		errorf(err, "Shopify throttled the call");
	} else if ((st = shopify_http_status(&r, rc, err)) != PROVIDER_OK) {
		if (res) {
			res->retry_after_ms = r.retry_after_ms;
			res->throttled = r.status == 429;
		}
	} else if (!*root) {
		st = PROVIDER_RETRY;
		errorf(err, "Shopify answered with something that is not JSON");
	} else if (e) {
		bool denied = code && strcmp(code, "ACCESS_DENIED") == 0;

		st = denied ? PROVIDER_UNSUPPORTED : PROVIDER_REJECTED;
		msg = shopify_str(e, "message");
		errorf(err, "Shopify: %s", msg ? msg : "error");
	}
out:
	if (st != PROVIDER_OK) {
		cJSON_Delete(*root);
		*root = NULL;
	}
	http_result_release(&r);
	buf_release(&url);
	return st;
}

/* Appends {"query": q, "variables": {...vars...}}; vars is JSON text. */
int shopify_body(struct buf *body, const char *query, const char *vars)
{
	return buf_puts(body, "{\"query\":") < 0 ||
			       json_escape(body, query) < 0 ||
			       buf_printf(body, ",\"variables\":%s}", vars) < 0
		       ? -1
		       : 0;
}

/* The first userError: TAKEN becomes EXISTS, any other REJECTED. */
enum provider_status shopify_user_errors(const cJSON *payload, struct buf *err)
{
	const cJSON *ue =
		cJSON_GetArrayItem(json_get(payload, "userErrors"), 0);
	const char *code, *msg;

	if (!ue)
		return PROVIDER_OK;
	code = shopify_str(ue, "code");
	msg = shopify_str(ue, "message");
	if (code && strcmp(code, "TAKEN") == 0)
		return PROVIDER_EXISTS;
	errorf(err, "Shopify refused: %s%s%s", msg ? msg : "invalid input",
	       code ? " " : "", code ? code : "");
	return PROVIDER_REJECTED;
}
