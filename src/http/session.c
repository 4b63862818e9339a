#include "http/session.h"
#include "runtime/app.h"
#include "config.h"
#include "util/crypto.h"
#include "http/html.h"
#include "util/log.h"
#include "util/seal.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

/* Form cookies live a day: long enough to fill in a form. */
#define FORM_COOKIE_AGE 86400

static const char *const cookie_names[] = {
	COOKIE_MERCHANT,  /* SESSION_MERCHANT */
	COOKIE_AFFILIATE, /* SESSION_AFFILIATE */
};

enum cookie_scope cookie_scope(const struct app *app, const struct request *req)
{
	/* Only a frame of another site needs SameSite=None. */
	if (req && request_in_frame(req))
		return COOKIE_IN_FRAME;
	return str_has_prefix(config_get(app->cfg, CFG_SERVER_PUBLIC_URL),
			      "https://")
		       ? COOKIE_SITE_SECURE
		       : COOKIE_SITE;
}

int cookie_format(struct buf *out, const char *name, const char *value,
		  int64_t max_age, enum cookie_scope scope)
{
	static const char *const attributes[] = {
		[COOKIE_SITE] = "SameSite=Lax",
		[COOKIE_SITE_SECURE] = "SameSite=Lax; Secure",
		[COOKIE_IN_FRAME] = "SameSite=None; Secure; Partitioned",
	};

	return buf_printf(out, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; %s",
			  name, value, (long long)max_age, attributes[scope]);
}

static void set_cookie(struct app *app, const struct request *req,
		       struct response *resp, const char *name,
		       const char *value, int64_t max_age)
{
	struct buf c;

	buf_init(&c, BUF_SMALL);
	if (cookie_format(&c, name, value, max_age, cookie_scope(app, req)) ==
	    0)
		response_header(resp, "Set-Cookie", buf_str(&c));
	buf_release(&c);
}

void token_hash(const char *token, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[CRYPTO_SHA256_LEN];
	size_t i;

	crypto_sha256(token, strlen(token), h);
	for (i = 0; i < sizeof(h); i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = '\0';
}

int signin_link_issue(struct store_tx *tx, int64_t shop_id, struct buf *token,
		      struct buf *err)
{
	char hash[65];
	int64_t now = clock_now();

	if (crypto_token_url(token, 32) < 0)
		return errorf(err, "no random token");
	token_hash(buf_str(token), hash);
	if (store_session_prune(tx, now, err) < 0 ||
	    store_signin_link_add(tx, hash, shop_id, now + SIGNIN_LINK_TTL,
				  err) < 0)
		return -1;
	return 0;
}

static int session_start(struct app *app, const struct request *req,
			 struct response *resp, struct session_row *row,
			 struct buf *err)
{
	struct store_tx *tx = NULL;
	struct buf id, csrf;
	int64_t now = clock_now();
	int rc = -1;

	buf_init(&id, 128);
	buf_init(&csrf, 128);
	if (crypto_token_url(&id, 32) < 0 || crypto_token_hex(&csrf, 24) < 0)
		goto out;
	token_hash(buf_str(&id), row->id_hash);
	snprintf(row->csrf, sizeof(row->csrf), "%s", buf_str(&csrf));
	row->created_at = now;
	row->expires_at = now + config_int(app->cfg, CFG_SECURITY_SESSION_TTL);
	if (store_tx_begin(app->store, &tx, err) < 0)
		goto out;
	if (store_session_prune(tx, now, err) < 0 ||
	    store_session_add(tx, row, err) < 0) {
		store_tx_rollback(tx);
		goto out;
	}
	if (store_tx_commit(tx, err) < 0)
		goto out;
	set_cookie(app, req, resp, cookie_names[row->kind], buf_str(&id),
		   config_int(app->cfg, CFG_SECURITY_SESSION_TTL));
	rc = 0;
out:
	buf_release(&id);
	buf_release(&csrf);
	return rc;
}

int session_start_merchant(struct app *app, const struct request *req,
			   struct response *resp, int64_t shop_id,
			   struct buf *err)
{
	struct session_row row;

	memset(&row, 0, sizeof(row));
	row.kind = SESSION_MERCHANT;
	row.shop_id = shop_id;
	if (session_start(app, req, resp, &row, err) < 0)
		return -1;
	log_info("session.started", "kind=merchant shop=%lld",
		 (long long)shop_id);
	return 0;
}

int session_start_affiliate(struct app *app, const struct request *req,
			    struct response *resp, int64_t shop_id,
			    int64_t affiliate_id, struct buf *err)
{
	struct session_row row;

	memset(&row, 0, sizeof(row));
	row.kind = SESSION_AFFILIATE;
	row.shop_id = shop_id;
	row.affiliate_id = affiliate_id;
	if (session_start(app, req, resp, &row, err) < 0)
		return -1;
	log_info("session.started", "kind=affiliate shop=%lld affiliate=%lld",
		 (long long)shop_id, (long long)affiliate_id);
	return 0;
}

int session_load(struct app *app, const struct request *req,
		 enum session_kind kind, struct session_row *out,
		 struct buf *err)
{
	const char *cookie = request_cookie(req, cookie_names[kind]);
	struct store_tx *tx;
	char hash[65];
	int rc;

	if (!cookie || !cookie[0] || strlen(cookie) > 128)
		return 0;
	token_hash(cookie, hash);
	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_session_get(tx, hash, clock_now(), out, err);
	store_tx_rollback(tx);
	if (rc == 1 && out->kind != kind)
		rc = 0;
	return rc;
}

int session_end(struct app *app, const struct request *req,
		struct response *resp, enum session_kind kind, struct buf *err)
{
	const char *cookie = request_cookie(req, cookie_names[kind]);
	struct store_tx *tx;
	char hash[65];

	set_cookie(app, req, resp, cookie_names[kind], "", 0);
	if (!cookie || !cookie[0])
		return 0;
	token_hash(cookie, hash);
	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	if (store_session_delete(tx, hash, err) < 0) {
		store_tx_rollback(tx);
		return -1;
	}
	return store_tx_commit(tx, err);
}

bool csrf_equal(const char *expected, const char *got)
{
	if (!expected || !got || !expected[0] || !got[0])
		return false;
	return crypto_equal(expected, strlen(expected), got, strlen(got));
}

void csrf_for_cookie(const unsigned char key[32], const char *cookie,
		     char out[CSRF_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[CRYPTO_SHA256_LEN];
	size_t i;

	crypto_hmac_sha256(key, 32, cookie, strlen(cookie), mac);
	for (i = 0; i < sizeof(mac); i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[CSRF_HEX_LEN] = '\0';
}

static void form_key(unsigned char key[SEAL_KEY_LEN])
{
	seal_derive("csrf:form", key);
}

void csrf_anonymous(struct app *app, const struct request *req,
		    struct response *resp, char out[CSRF_HEX_LEN + 1])
{
	const char *cookie = request_cookie(req, COOKIE_FORM);
	unsigned char key[SEAL_KEY_LEN];
	struct buf fresh;

	buf_init(&fresh, 128);
	if (!cookie || strlen(cookie) < 32 || strlen(cookie) > 64) {
		if (crypto_token_url(&fresh, 32) < 0)
			BUG("form cookie does not fit");
		cookie = buf_str(&fresh);
		set_cookie(app, req, resp, COOKIE_FORM, cookie,
			   FORM_COOKIE_AGE);
	}
	form_key(key);
	csrf_for_cookie(key, cookie, out);
	memset(key, 0, sizeof(key));
	buf_release(&fresh);
}

static bool anonymous_ok(const struct request *req, const char *got)
{
	const char *cookie = request_cookie(req, COOKIE_FORM);
	unsigned char key[SEAL_KEY_LEN];
	char want[CSRF_HEX_LEN + 1];

	if (!cookie || strlen(cookie) < 32 || strlen(cookie) > 64)
		return false;
	form_key(key);
	csrf_for_cookie(key, cookie, want);
	memset(key, 0, sizeof(key));
	return csrf_equal(want, got);
}

int session_read_form(struct app *app, struct request *req,
		      const struct session_row *s, struct form *f,
		      struct response *resp)
{
	struct buf err;
	const char *got;
	bool ok;

	(void)app;
	buf_init(&err, BUF_SMALL);
	if (form_parse(f, req->body.data ? req->body.data : "", req->body.len,
		       &err) < 0) {
		log_info("form.refused", "route=%s error=%s", req->route,
			 buf_str(&err));
		buf_release(&err);
		page_error(req, resp, 400, MSG_BAD_FORM_TITLE,
			   MSG_BAD_FORM_TEXT);
		return -1;
	}
	buf_release(&err);
	got = form_get(f, "csrf");
	ok = form_count(f, "csrf") == 1 &&
	     (s ? csrf_equal(s->csrf, got) : anonymous_ok(req, got));
	if (!ok) {
		log_info("csrf.refused", "route=%s", req->route);
		form_release(f);
		page_error(req, resp, 403, MSG_CSRF_TITLE, MSG_CSRF_TEXT);
		return -1;
	}
	return 0;
}
