/*
 * Shopify: rewards through the GraphQL Admin API (discountCodeBasicCreate,
 * giftCardCreate), and finding one again by its code after a lost answer.
 */
#include "providers/shopify/internal.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Shopify ids are decimal numbers; anything else never reaches a query. */
static bool shopify_numeric(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s && i > 0 && i < 24;
}

/* Writes minor units as Shopify's decimal text, e.g. "12.50". */
static int shopify_decimal(struct buf *out, int64_t v, int exp)
{
	return buf_putc(out, '"') < 0 || money_format(out, v, exp) < 0 ||
			       buf_putc(out, '"') < 0
		       ? -1
		       : 0;
}

static int shopify_discount_vars(const struct provider_env *env,
				 const struct reward_request *req,
				 struct buf *v)
{
	char start[21];

	format_iso8601(env->now - 60, start);
	if (buf_puts(v, "{\"basicCodeDiscount\":{\"title\":") < 0 ||
	    json_escape(v, req->title) < 0 || buf_puts(v, ",\"code\":") < 0 ||
	    json_escape(v, req->code) < 0 ||
	    buf_printf(v, ",\"startsAt\":\"%s\",\"customerGets\":{\"value\":",
		       start) < 0)
		return -1;
	if (req->percent
		    ? buf_printf(v, "{\"percentage\":%lld.%04lld}",
				 (long long)(req->value / 10000),
				 (long long)(req->value % 10000)) < 0
		    : buf_puts(v, "{\"discountAmount\":{\"amount\":") < 0 ||
			      shopify_decimal(v, req->value, req->exponent) <
				      0 ||
			      buf_puts(v, ",\"appliesOnEachItem\":false}}") < 0)
		return -1;
	if (buf_puts(v, ",\"items\":{\"all\":true}},\"context\":") < 0)
		return -1;
	if (req->customer_id
		    ? buf_printf(v,
				 "{\"customers\":{\"add\":[\"gid://shopify/"
				 "Customer/%s\"]}}",
				 req->customer_id) < 0
		    : buf_puts(v, "{\"all\":\"ALL\"}") < 0)
		return -1;
	if (req->usage_limit > 0 &&
	    buf_printf(v,
		       ",\"usageLimit\":%lld,\"appliesOncePerCustomer\":true",
		       (long long)req->usage_limit) < 0)
		return -1;
	return buf_puts(v, "}}");
}

/* Runs a reward mutation and maps its payload's userErrors. */
static enum provider_status
shopify_mutate(const struct provider_env *env, const char *query,
	       const char *vars, const char *field, const cJSON **payload,
	       cJSON **root, struct reward_result *out, struct buf *err)
{
	struct buf body;
	enum provider_status st;

	buf_init(&body, BUF_MEDIUM);
	st = shopify_body(&body, query, vars) < 0
		     ? PROVIDER_REJECTED
		     : shopify_graphql(env, &body, root, out, err);
	buf_release(&body);
	if (st != PROVIDER_OK)
		return st;
	*payload = json_get(json_get(*root, "data"), field);
	return shopify_user_errors(*payload, err);
}

enum provider_status shopify_create_coupon(const struct provider_env *env,
					   const struct reward_request *req,
					   struct reward_result *out,
					   struct buf *err)
{
	static const char query[] =
		"mutation discountCodeBasicCreate($basicCodeDiscount: "
		"DiscountCodeBasicInput!) { discountCodeBasicCreate("
		"basicCodeDiscount: $basicCodeDiscount) { codeDiscountNode { "
		"id "
		"} userErrors { field code message } } }";
	struct buf vars;
	cJSON *root = NULL;
	const cJSON *payload = NULL;
	enum provider_status st;
	const char *id;

	if (req->customer_id && !shopify_numeric(req->customer_id)) {
		errorf(err, "customer id '%s' is not a Shopify id",
		       req->customer_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&vars, 8192);
	if (shopify_discount_vars(env, req, &vars) < 0) {
		buf_release(&vars);
		errorf(err, "discount request too long");
		return PROVIDER_REJECTED;
	}
	st = shopify_mutate(env, query, vars.data, "discountCodeBasicCreate",
			    &payload, &root, out, err);
	id = shopify_str(json_get(payload, "codeDiscountNode"), "id");
	if (st == PROVIDER_OK) {
		snprintf(out->platform_id, sizeof(out->platform_id), "%s",
			 id ? id : "");
		snprintf(out->code, sizeof(out->code), "%s", req->code);
	}
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}

/* A query whose one variable, name, is the string value. */
static enum provider_status query_by(const struct provider_env *env,
				     const char *query, const char *name,
				     const char *value, cJSON **root,
				     struct reward_result *out, struct buf *err)
{
	enum provider_status st = PROVIDER_REJECTED;
	struct buf vars, body;

	buf_init(&vars, 512);
	buf_init(&body, 2048);
	if (buf_printf(&vars, "{\"%s\":", name) == 0 &&
	    json_escape(&vars, value) == 0 && buf_putc(&vars, '}') == 0 &&
	    shopify_body(&body, query, vars.data) == 0)
		st = shopify_graphql(env, &body, root, out, err);
	else
		errorf(err, "query too long");
	buf_release(&vars);
	buf_release(&body);
	return st;
}

/* What a lookup by code found: node (NULL: none) into out. */
static enum provider_status found(const cJSON *node, const char *code,
				  struct reward_result *out)
{
	const char *id = shopify_str(node, "id");

	snprintf(out->platform_id, sizeof(out->platform_id), "%s",
		 id ? id : "");
	snprintf(out->code, sizeof(out->code), "%s", code);
	return node ? PROVIDER_OK : PROVIDER_NOT_FOUND;
}

enum provider_status shopify_find_coupon(const struct provider_env *env,
					 const char *code,
					 struct reward_result *out,
					 struct buf *err)
{
	static const char query[] =
		"query codeDiscountNodeByCode($code: String!) { "
		"codeDiscountNodeByCode(code: $code) { id } }";
	cJSON *root = NULL;
	enum provider_status st =
		query_by(env, query, "code", code, &root, out, err);

	if (st == PROVIDER_OK)
		st = found(json_get(json_get(root, "data"),
				    "codeDiscountNodeByCode"),
			   code, out);
	cJSON_Delete(root);
	return st;
}

enum provider_status shopify_create_gift_card(const struct provider_env *env,
					      const struct reward_request *req,
					      struct reward_result *out,
					      struct buf *err)
{
	static const char query[] =
		"mutation giftCardCreate($input: GiftCardCreateInput!) { "
		"giftCardCreate(input: $input) { giftCard { id } giftCardCode "
		"userErrors { field code message } } }";
	struct buf vars;
	cJSON *root = NULL;
	const cJSON *payload = NULL;
	enum provider_status st = PROVIDER_REJECTED;
	const char *id;

	if (req->customer_id && !shopify_numeric(req->customer_id)) {
		errorf(err, "customer id '%s' is not a Shopify id",
		       req->customer_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&vars, 4096);
	if (buf_puts(&vars, "{\"input\":{\"initialValue\":") == 0 &&
	    shopify_decimal(&vars, req->value, req->exponent) == 0 &&
	    buf_puts(&vars, ",\"code\":") == 0 &&
	    json_escape(&vars, req->code) == 0 &&
	    buf_puts(&vars, ",\"note\":") == 0 &&
	    json_escape(&vars, req->title) == 0 &&
	    (!req->customer_id ||
	     buf_printf(&vars, ",\"customerId\":\"gid://shopify/Customer/%s\"",
			req->customer_id) == 0) &&
	    buf_puts(&vars, "}}") == 0)
		st = shopify_mutate(env, query, vars.data, "giftCardCreate",
				    &payload, &root, out, err);
	else
		errorf(err, "gift card request too long");
	id = shopify_str(json_get(payload, "giftCard"), "id");
	if (st == PROVIDER_OK) {
		snprintf(out->platform_id, sizeof(out->platform_id), "%s",
			 id ? id : "");
		snprintf(out->code, sizeof(out->code), "%s", req->code);
	}
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}

enum provider_status shopify_find_gift_card(const struct provider_env *env,
					    const char *code,
					    struct reward_result *out,
					    struct buf *err)
{
	/* Gift card search's default field is the code. */
	static const char query[] =
		"query giftCards($query: String!) { giftCards(first: 1, query: "
		"$query) { nodes { id lastCharacters } } }";
	cJSON *root = NULL;
	enum provider_status st =
		query_by(env, query, "query", code, &root, out, err);

	if (st == PROVIDER_OK)
		st = found(cJSON_GetArrayItem(
				   json_get(json_get(json_get(root, "data"),
						     "giftCards"),
					    "nodes"),
				   0),
			   code, out);
	cJSON_Delete(root);
	return st;
}
