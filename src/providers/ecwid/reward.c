/*
 * Ecwid: rewards as discount coupons (POST /discount_coupons), and
 * finding one again by its code after a lost answer.
 */
#include "providers/ecwid/internal.h"
#include "util/money.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

/*
 * {name, code, discountType, discount, status, usesLimit,
 * applicationLimit}. discount is written as decimal text (15.00 for
 * 1500 bps, 10.00 for 1000 cents): no double on the way. Ecwid coupons
 * cannot be tied to a customer nor limited to n uses for n > 1, so
 * customer_id is not sent and usage_limit is SINGLE or UNLIMITED.
 */
static int ecwid_coupon_body(const struct reward_request *req, struct buf *b)
{
	const char *name = req->title && req->title[0] ? req->title : req->code;
	const char *type = req->percent ? "PERCENT" : "ABS";
	const char *uses = req->usage_limit == 1 ? "SINGLE" : "UNLIMITED";
	int exponent = req->percent ? 2 : req->exponent;

	if (buf_puts(b, "{\"name\":") < 0 || json_escape(b, name) < 0 ||
	    buf_puts(b, ",\"code\":") < 0 || json_escape(b, req->code) < 0 ||
	    buf_printf(b, ",\"discountType\":\"%s\",\"discount\":", type) < 0 ||
	    money_format(b, req->value, exponent) < 0 ||
	    buf_printf(b,
		       ",\"status\":\"ACTIVE\",\"usesLimit\":\"%s\","
		       "\"applicationLimit\":\"UNLIMITED\"}",
		       uses) < 0)
		return -1;
	return 0;
}

/* What we can refuse before asking Ecwid. */
static int ecwid_coupon_check(const struct provider_env *env,
			      const struct reward_request *req, struct buf *err)
{
	const char *cur = env->shop ? env->shop->currency : NULL;

	if (!req->code || !req->code[0])
		return errorf(err, "coupon without a code");
	if (req->percent)
		return 0;
	if (req->exponent < 0 || req->exponent > 4)
		return errorf(err, "bad currency exponent %d", req->exponent);
	if (req->currency && cur && strcmp(req->currency, cur) != 0)
		return errorf(err,
			      "an Ecwid coupon is in the store's currency %s, "
			      "not %s",
			      cur, req->currency);
	return 0;
}

/* platform_id and code from a coupon object ({"id":..,"code":..}). */
static void ecwid_coupon_out(const cJSON *coupon, const char *code,
			     struct reward_result *out)
{
	bool bad = false;
	const char *id = ecwid_text(coupon, "id", &bad, NULL);
	const char *got = ecwid_text(coupon, "code", &bad, NULL);

	snprintf(out->platform_id, sizeof(out->platform_id), "%s",
		 id && !bad ? id : "");
	snprintf(out->code, sizeof(out->code), "%s", got && !bad ? got : code);
}

enum provider_status ecwid_create_coupon(const struct provider_env *env,
					 const struct reward_request *req,
					 struct reward_result *out,
					 struct buf *err)
{
	struct buf body;
	struct http_result r;
	struct ecwid_call c = {"POST", "discount_coupons", NULL,
			       &out->retry_after_ms};
	enum provider_status st = PROVIDER_REJECTED;
	cJSON *root = NULL;

	out->retry_after_ms = 0;
	if (ecwid_coupon_check(env, req, err) < 0)
		return PROVIDER_REJECTED;
	buf_init(&body, BUF_SMALL);
	http_result_init(&r);
	if (ecwid_coupon_body(req, &body) < 0) {
		errorf(err, "coupon request too long");
		goto out;
	}
	c.body = body.data;
	st = ecwid_api(env, &c, &r, err);
	/* Only a 429 gives a wait (Retry-After): Ecwid's rate limit. */
	out->throttled = st == PROVIDER_RETRY && out->retry_after_ms > 0;
	if (st == PROVIDER_OK) {
		root = json_parse(r.body.data, r.body.len, NULL);
		ecwid_coupon_out(root, req->code, out);
	} else if (st == PROVIDER_EXISTS) {
		snprintf(out->code, sizeof(out->code), "%s", req->code);
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&body);
	return st;
}

/* GET discount_coupons?code=: Ecwid matches codes without case. */
enum provider_status ecwid_find_coupon(const struct provider_env *env,
				       const char *code,
				       struct reward_result *out,
				       struct buf *err)
{
	struct ecwid_call c = {"GET", NULL, NULL, &out->retry_after_ms};
	enum provider_status st = PROVIDER_REJECTED;
	struct http_result r;
	struct buf path;
	const cJSON *it;
	cJSON *root = NULL;

	out->retry_after_ms = 0;
	buf_init(&path, 1024);
	http_result_init(&r);
	if (!code || !code[0] ||
	    buf_puts(&path, "discount_coupons?code=") < 0 ||
	    url_encode(&path, code) < 0) {
		errorf(err, "bad coupon code");
		goto out;
	}
	c.path = path.data;
	st = ecwid_api(env, &c, &r, err);
	if (st != PROVIDER_OK)
		goto out;
	root = json_parse(r.body.data, r.body.len, err);
	st = PROVIDER_NOT_FOUND;
	cJSON_ArrayForEach(it, json_get(root, "items"))
	{
		bool bad = false;
		const char *got = ecwid_text(it, "code", &bad, NULL);

		if (got && !bad && str_ieq(got, code)) {
			ecwid_coupon_out(it, code, out);
			st = PROVIDER_OK;
			break;
		}
	}
	if (st == PROVIDER_NOT_FOUND)
		errorf(err, "no Ecwid coupon with code '%.64s'", code);
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&path);
	return st;
}
