/*
 * Ecwid: the OAuth install (authorize redirect, code for token), the
 * payload of the app opened inside the Ecwid admin, and the store's
 * profile (name, email, currency).
 */
#include "providers/ecwid/internal.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/money.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECWID_CALLBACK "/auth/ecwid/callback"

static int ecwid_redirect_uri(const struct platform_config *cfg,
			      struct buf *out)
{
	if (ecwid_put_base(out, cfg->public_url) < 0)
		return -1;
	return buf_puts(out, ECWID_CALLBACK);
}

/* Our scopes, space-separated as Ecwid wants them, URL-encoded. */
static int ecwid_put_scopes(struct buf *out, const char *scopes)
{
	const char *p = scopes ? scopes : "";
	bool first = true;

	for (;;) {
		char *word;
		size_t n;
		int rc;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n == 0)
			return 0;
		word = xstrndup(p, n);
		rc = 0;
		if ((!first && buf_puts(out, "%20") < 0) ||
		    url_encode(out, word) < 0)
			rc = -1;
		free(word);
		if (rc < 0)
			return -1;
		first = false;
		p += n;
	}
}

/* Ecwid's own words about a failure: errorMessage or error_description. */

/* Install */

int ecwid_install_redirect(const struct provider_env *env,
			   const struct provider_request *req,
			   const char *state, struct buf *location,
			   char shop[256], struct buf *err)
{
	const struct platform_config *cfg = env->cfg;
	struct buf redirect;
	int rc = 0;

	(void)req;
	shop[0] = '\0'; /* Ecwid's install request names no store */
	if (!cfg->client_id || !cfg->client_id[0])
		return errorf(err, "ecwid client_id is not configured");
	buf_init(&redirect, ECWID_URL_MAX);
	if (ecwid_redirect_uri(cfg, &redirect) < 0 ||
	    ecwid_put_base(location, cfg->oauth_base) < 0 ||
	    buf_puts(location, "/authorize?client_id=") < 0 ||
	    url_encode(location, cfg->client_id) < 0 ||
	    buf_puts(location, "&redirect_uri=") < 0 ||
	    url_encode(location, buf_str(&redirect)) < 0 ||
	    buf_puts(location, "&response_type=code&scope=") < 0 ||
	    ecwid_put_scopes(location, cfg->scopes) < 0 ||
	    (state && (buf_puts(location, "&state=") < 0 ||
		       url_encode(location, state) < 0)))
		rc = -1;
	buf_release(&redirect);
	return rc < 0 ? errorf(err, "ecwid authorize URL too long") : 0;
}

/* key=value& for the token form; the value URL-encoded. */
static int ecwid_form(struct buf *b, const char *key, const char *value)
{
	if ((b->len && buf_putc(b, '&') < 0) || buf_puts(b, key) < 0 ||
	    buf_putc(b, '=') < 0 || url_encode(b, value ? value : "") < 0)
		return -1;
	return 0;
}

static int ecwid_token_form(const struct platform_config *cfg, const char *code,
			    struct buf *body)
{
	struct buf redirect;
	int rc = 0;

	buf_init(&redirect, ECWID_URL_MAX);
	if (ecwid_redirect_uri(cfg, &redirect) < 0 ||
	    ecwid_form(body, "client_id", cfg->client_id) < 0 ||
	    ecwid_form(body, "client_secret", cfg->client_secret) < 0 ||
	    ecwid_form(body, "code", code) < 0 ||
	    ecwid_form(body, "redirect_uri", buf_str(&redirect)) < 0 ||
	    ecwid_form(body, "grant_type", "authorization_code") < 0)
		rc = -1;
	buf_release(&redirect);
	return rc;
}

/* {"access_token","token_type","scope","store_id"} into out. */
static enum provider_status ecwid_token_answer(const struct http_result *r,
					       struct install_result *out,
					       struct buf *err)
{
	cJSON *root = json_parse(r->body.data, r->body.len, err);
	const char *token, *store, *scope;
	bool bad = false;
	enum provider_status st = PROVIDER_REJECTED;

	token = ecwid_text(root, "access_token", &bad, err);
	store = ecwid_text(root, "store_id", &bad, err);
	scope = json_text(root, "scope", &bad, err);
	if (!root || bad)
		error_prefix(err, "ecwid token answer");
	else if (!token || !ecwid_digits(store))
		errorf(err, "ecwid token answer lacks access_token or a "
			    "numeric store_id");
	else if (ecwid_copy(out->token, sizeof(out->token), token) < 0 ||
		 ecwid_copy(out->shop, sizeof(out->shop), store) < 0 ||
		 ecwid_copy(out->scopes, sizeof(out->scopes),
			    scope ? scope : "") < 0)
		errorf(err, "ecwid token answer: a field is too long");
	else
		st = PROVIDER_OK;
	cJSON_Delete(root);
	return st;
}

/* Maps the token endpoint's answer: 5xx and no answer are worth a retry. */
static enum provider_status ecwid_token_status(const struct http_result *r,
					       struct buf *err)
{
	char msg[ECWID_MSG_MAX + 1], code[64];

	if (r->status == 0) {
		errorf(err, "ecwid token exchange got no answer: %s", r->error);
		return PROVIDER_RETRY;
	}
	ecwid_error_text(r, msg, sizeof(msg), code, sizeof(code));
	errorf(err, "ecwid token exchange refused (%ld %s): %s", r->status,
	       code[0] ? code : "error", msg[0] ? msg : "no reason given");
	return r->status >= 500 || r->status == 429 || r->status == 408
		       ? PROVIDER_RETRY
		       : PROVIDER_REJECTED;
}

/*
 * The callback carries code (or error=access_denied). Ecwid has taken the
 * code exchange as a POST with a form body since March 2025; the GET form
 * no longer works. state, when it comes back, is the core's to check.
 */
enum provider_status ecwid_finish_install(const struct provider_env *env,
					  const struct provider_request *req,
					  struct install_result *out,
					  struct buf *err)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL};
	const char *denied = req->query(req->ctx, "error");
	const char *code = req->query(req->ctx, "code");
	struct http_call call = {.method = "POST", .headers = headers};
	struct http_result r;
	struct buf url, body;
	enum provider_status st = PROVIDER_REJECTED;

	memset(out, 0, sizeof(*out));
	if (denied) {
		errorf(err, "the merchant did not grant access (%.60s)",
		       denied);
		return PROVIDER_REJECTED;
	}
	if (!code || !code[0]) {
		errorf(err, "ecwid install callback without a code");
		return PROVIDER_REJECTED;
	}
	buf_init(&url, ECWID_URL_MAX);
	buf_init(&body, ECWID_URL_MAX);
	http_result_init(&r);
	if (ecwid_put_base(&url, env->cfg->oauth_base) < 0 ||
	    buf_puts(&url, "/token") < 0 ||
	    ecwid_token_form(env->cfg, code, &body) < 0) {
		errorf(err, "ecwid token request too long");
		goto out;
	}
	call.url = url.data;
	call.body = body.data;
	call.len = body.len;
	if (http_client_do(env->http, &call, &r) == 0 && r.status == 200)
		st = ecwid_token_answer(&r, out, err);
	else
		st = ecwid_token_status(&r, err);
out:
	ecwid_release_secret(&r.body); /* the answer holds the token */
	http_result_release(&r);
	buf_release(&url);
	ecwid_release_secret(&body);
	return st;
}

/* The shop */

/*
 * name, email and currency from GET /profile. currencyPrecision comes as
 * a number or a string; a store whose precision is not the ISO exponent
 * would send amounts we would misread, so it is refused.
 */
static int ecwid_profile(const cJSON *root, struct shop_info *out,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *settings = ecwid_object(root, "settings", &bad, err);
	const cJSON *account = ecwid_object(root, "account", &bad, err);
	const cJSON *fmt = ecwid_object(root, "formatsAndUnits", &bad, err);
	const char *name = ecwid_text(settings, "storeName", &bad, err);
	const char *owner = ecwid_text(account, "accountName", &bad, err);
	const char *email = ecwid_text(account, "accountEmail", &bad, err);
	const char *cur = ecwid_text(fmt, "currency", &bad, err);
	int64_t precision;
	int exp;

	if (bad)
		return error_prefix(err, "ecwid profile");
	exp = money_exponent(cur);
	if (exp < 0)
		return errorf(err,
			      "ecwid profile: currency '%s' is not an ISO "
			      "4217 code",
			      cur ? cur : "");
	if (json_int(fmt, "currencyPrecision", exp, &precision, err) < 0)
		return error_prefix(err, "ecwid profile");
	if (precision != exp)
		return errorf(err,
			      "ecwid store currency %s has %lld decimals, but "
			      "ISO 4217 gives it %d: amounts would be misread",
			      cur, (long long)precision, exp);
	snprintf(out->name, sizeof(out->name), "%s",
		 name	 ? name
		 : owner ? owner
			 : "");
	snprintf(out->email, sizeof(out->email), "%s", email ? email : "");
	snprintf(out->currency, sizeof(out->currency), "%s", cur);
	return 0;
}

enum provider_status ecwid_describe_shop(const struct provider_env *env,
					 struct shop_info *out, struct buf *err)
{
	const struct ecwid_call c = {"GET", "profile", NULL, NULL};
	struct http_result r;
	cJSON *root = NULL;
	enum provider_status st;

	memset(out, 0, sizeof(*out));
	http_result_init(&r);
	st = ecwid_api(env, &c, &r, err);
	if (st == PROVIDER_OK) {
		root = json_parse(r.body.data, r.body.len, err);
		if (!root || ecwid_profile(root, out, err) < 0) {
			if (!root)
				error_prefix(err, "ecwid profile");
			st = PROVIDER_REJECTED;
		}
	}
	cJSON_Delete(root);
	http_result_release(&r);
	return st;
}

/*
 * The app opened inside the Ecwid admin gets ?payload=: URL-safe base64
 * of IV(16) || AES-128-CBC(JSON), keyed with the first 16 characters of
 * the client secret. Ecwid adds no MAC: that the JSON opens and parses
 * with our secret, and names a store and a token, is the check.
 */
int ecwid_open_app_payload(const struct platform_config *cfg,
			   const struct provider_request *req,
			   struct install_result *out, struct buf *err)
{
	const char *payload = req->query(req->ctx, "payload");
	unsigned char key[16];
	struct buf raw, plain;
	cJSON *root = NULL;
	const char *store, *token;
	bool bad = false;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!payload || !payload[0])
		return errorf(err, "no payload in the request");
	if (strlen(cfg->client_secret) < sizeof(key))
		return errorf(err,
			      "the client secret is too short for payloads");
	memcpy(key, cfg->client_secret, sizeof(key));
	buf_init(&raw, 64 * 1024);
	buf_init(&plain, 64 * 1024);
	if (base64url_decode(&raw, payload, strlen(payload)) < 0 ||
	    raw.len < 32 || raw.len % 16 != 0 ||
	    crypto_aes128_cbc_decrypt(key, (const unsigned char *)raw.data,
				      raw.data + 16, raw.len - 16,
				      &plain) < 0) {
		errorf(err, "the payload does not open with our secret");
		goto out;
	}
	root = json_parse(plain.data, plain.len, err);
	store = root ? ecwid_text(root, "store_id", &bad, err) : NULL;
	token = root ? ecwid_text(root, "access_token", &bad, err) : NULL;
	if (!root || bad || !store || !token) {
		errorf(err, "the payload names no store and token");
		goto out;
	}
	snprintf(out->shop, sizeof(out->shop), "%s", store);
	snprintf(out->token, sizeof(out->token), "%s", token);
	rc = 0;
out:
	cJSON_Delete(root);
	ecwid_release_secret(&plain);
	buf_release(&raw);
	explicit_bzero(key, sizeof(key));
	return rc;
}
