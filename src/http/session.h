/*
 * Sessions, cookies and CSRF for the pages. A session id is 32 random
 * bytes (base64url) in an HttpOnly, SameSite=Lax cookie (Secure when the
 * public URL is https), or SameSite=None; Secure; Partitioned when the
 * page is shown in a frame by another site (the platform's admin, which
 * the CSP's frame-ancestors names); the database keeps only its SHA-256. A
 * merchant session is bound to one shop, an affiliate session to one affiliate.
 * Every form carries a CSRF token that POST handlers compare in constant
 * time: the session's own token, or before sign-in a token bound by HMAC
 * to a random form cookie (signed double submit).
 */
#ifndef AFFILIATED_SESSION_H
#define AFFILIATED_SESSION_H

#include "http/form.h"
#include "http/request.h"
#include "store/store_sessions.h"

#include <stdbool.h>
#include <stdint.h>

struct app;

#define COOKIE_MERCHANT	 "affiliated_m"
#define COOKIE_AFFILIATE "affiliated_a"
#define COOKIE_FORM	 "affiliated_f"

enum { CSRF_HEX_LEN = 64 };

/*
 * Starts a merchant session for shop_id: stores it and adds its cookie
 * to resp, scoped for where req came from. The OAuth callback calls this,
 * then redirects to /wizard.
 */
int session_start_merchant(struct app *app, const struct request *req,
			   struct response *resp, int64_t shop_id,
			   struct buf *err);
/* The same for an affiliate of a shop. */
int session_start_affiliate(struct app *app, const struct request *req,
			    struct response *resp, int64_t shop_id,
			    int64_t affiliate_id, struct buf *err);
/* The request's valid session of that kind: 1 (out filled), 0 none, -1. */
int session_load(struct app *app, const struct request *req,
		 enum session_kind kind, struct session_row *out,
		 struct buf *err);
/* Deletes the request's session of that kind and clears its cookie. */
int session_end(struct app *app, const struct request *req,
		struct response *resp, enum session_kind kind, struct buf *err);

/* How a cookie must be set for the browser to send it back. */
enum cookie_scope {
	COOKIE_SITE,	    /* SameSite=Lax: the public URL is http */
	COOKIE_SITE_SECURE, /* SameSite=Lax; Secure: the public URL is https */
	/*
	 * SameSite=None; Secure; Partitioned: the page is in a frame of
	 * another site, where a browser sends no Lax cookie, and accepts
	 * None only when Secure. Partitioned keeps the cookie to frames of
	 * that one top-level site.
	 */
	COOKIE_IN_FRAME,
};
/* The scope for cookies set in the answer to req. */
enum cookie_scope cookie_scope(const struct app *app,
			       const struct request *req);
/*
 * A Set-Cookie value: name=value; Path=/; Max-Age (0 deletes); HttpOnly
 * and the scope's attributes.
 */
int cookie_format(struct buf *out, const char *name, const char *value,
		  int64_t max_age, enum cookie_scope scope) WARN_UNUSED_RESULT;
/* Hex SHA-256 of a secret token, as stored. */
void token_hash(const char *token, char out[65]);

/* How long a merchant sign-in link works, in seconds; it works once. */
#define SIGNIN_LINK_TTL 600
/*
 * Issues a sign-in link for shop_id in tx: the random token its URL
 * carries (/admin/signin?token=T) into token; the store keeps only the
 * token's SHA-256. GET shows the shop and a button, POST signs in.
 */
int signin_link_issue(struct store_tx *tx, int64_t shop_id, struct buf *token,
		      struct buf *err);

/* Constant-time comparison of two CSRF tokens; false when either is "". */
bool csrf_equal(const char *expected, const char *got);
/* The form token for a form cookie value, under key. */
void csrf_for_cookie(const unsigned char key[32], const char *cookie,
		     char out[CSRF_HEX_LEN + 1]);
/*
 * The token for a form shown before sign-in; sets the form cookie on
 * resp when the request has none.
 */
void csrf_anonymous(struct app *app, const struct request *req,
		    struct response *resp, char out[CSRF_HEX_LEN + 1]);

/*
 * Reads a POSTed form and checks its "csrf" field against the session's
 * token (s not NULL) or the form cookie (s NULL). Returns 0; -1 after
 * filling resp: 400 for a malformed body, 403 for a missing or wrong
 * token. Nothing has been changed either way.
 */
int session_read_form(struct app *app, struct request *req,
		      const struct session_row *s, struct form *f,
		      struct response *resp);

#endif
