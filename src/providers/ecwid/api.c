/*
 * Ecwid: the helpers every part shares, and the REST API call with the
 * store's token: URL, status mapping (tokens, scopes, 429 with
 * Retry-After) and the platform's error text.
 */
#include "providers/ecwid/internal.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

/* Frees a buffer that held a token or the client secret, wiping it. */
void ecwid_release_secret(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	buf_release(b);
}

/* Copies src into dst[n]; -1 (dst untouched) when it does not fit. */
int ecwid_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

bool ecwid_digits(const char *s)
{
	uint64_t v;

	return s && parse_uint_str(s, UINT64_MAX, &v) == 0;
}

/* Appends a configured base URL without its trailing slashes. */
int ecwid_put_base(struct buf *out, const char *base)
{
	size_t n = base ? strlen(base) : 0;

	while (n > 0 && base[n - 1] == '/')
		n--;
	return n ? buf_append(out, base, n) : 0;
}

/* A nested object member; NULL when absent, err when of another type. */
const cJSON *ecwid_object(const cJSON *obj, const char *key, bool *bad,
			  struct buf *err)
{
	const cJSON *v = json_get(obj, key);

	if (v && !cJSON_IsObject(v)) {
		errorf(err, "field '%s' should be an object", key);
		*bad = true;
		return NULL;
	}
	return v;
}

/* A text member that is present and not empty, else NULL. */
const char *ecwid_text(const cJSON *obj, const char *key, bool *bad,
		       struct buf *err)
{
	const char *v = json_text(obj, key, bad, err);

	return v && v[0] ? v : NULL;
}

/*
 * Ecwid's dates, "2025-03-20 15:11:12 +0000": parse_iso8601 wants the
 * offset glued to the time, so the space before it goes.
 */
int ecwid_parse_date(const char *s, int64_t *out)
{
	char copy[64];
	char *sp;

	if (ecwid_copy(copy, sizeof(copy), s) < 0)
		return -1;
	sp = strrchr(copy, ' ');
	if (sp && sp > copy + 10 && (sp[1] == '+' || sp[1] == '-'))
		memmove(sp, sp + 1, strlen(sp + 1) + 1);
	return parse_iso8601(copy, out);
}

/* Where the merchant comes back to after authorizing: ours, fixed. */

void ecwid_error_text(const struct http_result *r, char *msg, size_t n,
		      char *code, size_t cn)
{
	struct buf ignored;
	cJSON *root;
	const char *m, *c;
	bool bad = false;

	msg[0] = code[0] = '\0';
	buf_init(&ignored, BUF_SMALL);
	root = json_parse(r->body.data, r->body.len, &ignored);
	m = ecwid_text(root, "errorMessage", &bad, &ignored);
	c = ecwid_text(root, "errorCode", &bad, &ignored);
	if (!m)
		m = ecwid_text(root, "error_description", &bad, &ignored);
	if (!c)
		c = ecwid_text(root, "error", &bad, &ignored);
	if (m)
		snprintf(msg, n, "%.*s", ECWID_MSG_MAX, m);
	if (c)
		snprintf(code, cn, "%s", c);
	cJSON_Delete(root);
	buf_release(&ignored);
}

/* REST API calls */

/* "<api_base>/<storeId>" ({shop} in api_base is the store id). */
static int ecwid_store_url(const struct provider_env *env, struct buf *url,
			   struct buf *err)
{
	const char *store = env->shop ? env->shop->domain : NULL;

	if (!ecwid_digits(store))
		return errorf(err, "ecwid store id '%s' is not a number",
			      store ? store : "");
	if (strstr(env->cfg->api_base, "{shop}"))
		return provider_base_url(env->cfg->api_base, store, url) < 0
			       ? errorf(err, "ecwid API URL too long")
			       : 0;
	if (ecwid_put_base(url, env->cfg->api_base) < 0 ||
	    buf_printf(url, "/%s", store) < 0)
		return errorf(err, "ecwid API URL too long");
	return 0;
}

/* A token goes into a header line: nothing but visible ASCII. */
static bool ecwid_token_ok(const char *t)
{
	if (!t || !t[0])
		return false;
	for (; *t; t++)
		if (*t <= ' ' || *t > '~')
			return false;
	return true;
}

/*
 * What an answer means. Ecwid says 403 INVALID_API_TOKEN for a bad or
 * revoked token, but 403 INSUFFICIENT_APP_SCOPE for a missing scope,
 * which forgetting the token would not cure: that one is a refusal.
 */
static enum provider_status ecwid_status(const struct ecwid_call *c,
					 const struct http_result *r,
					 struct buf *err)
{
	char msg[ECWID_MSG_MAX + 1], code[64];
	long s = r->status;

	if (s >= 200 && s < 300)
		return PROVIDER_OK;
	ecwid_error_text(r, msg, sizeof(msg), code, sizeof(code));
	errorf(err, "ecwid %s %s answered %ld%s%s%s%s", c->method, c->path, s,
	       code[0] ? " " : "", code, msg[0] ? ": " : "", msg);
	if (s == 429) {
		if (c->retry_after_ms)
			*c->retry_after_ms = r->retry_after_ms >= 0
						     ? r->retry_after_ms
						     : ECWID_RETRY_MS;
		return PROVIDER_RETRY;
	}
	if (s >= 500 || s == 408)
		return PROVIDER_RETRY;
	if (s == 404)
		return PROVIDER_NOT_FOUND;
	if (s == 409)
		return PROVIDER_EXISTS;
	if ((s == 401 || s == 403) &&
	    strcmp(code, "INSUFFICIENT_APP_SCOPE") != 0)
		return PROVIDER_UNAUTHORIZED;
	return PROVIDER_REJECTED;
}

enum provider_status ecwid_api(const struct provider_env *env,
			       const struct ecwid_call *c,
			       struct http_result *r, struct buf *err)
{
	const char *headers[4] = {NULL, "Accept: application/json", NULL, NULL};
	struct http_call call = {.method = c->method, .headers = headers};
	enum provider_status st = PROVIDER_REJECTED;
	struct buf url, auth;

	if (!env->shop || !ecwid_token_ok(env->shop->token)) {
		errorf(err, "no usable Ecwid token for this store");
		return PROVIDER_UNAUTHORIZED;
	}
	buf_init(&url, ECWID_URL_MAX);
	buf_init(&auth, 1024);
	if (ecwid_store_url(env, &url, err) < 0)
		goto out;
	if (buf_printf(&url, "/%s", c->path) < 0 ||
	    buf_printf(&auth, "Authorization: Bearer %s", env->shop->token) <
		    0) {
		errorf(err, "ecwid request too long");
		goto out;
	}
	headers[0] = auth.data;
	if (c->body) {
		headers[2] = "Content-Type: application/json;charset=utf-8";
		call.body = c->body;
		call.len = strlen(c->body);
	}
	call.url = url.data;
	if (http_client_do(env->http, &call, r) < 0) {
		errorf(err, "ecwid %s %s got no answer: %s", c->method, c->path,
		       r->error);
		st = PROVIDER_RETRY;
	} else {
		st = ecwid_status(c, r, err);
	}
out:
	buf_release(&url);
	ecwid_release_secret(&auth);
	return st;
}
