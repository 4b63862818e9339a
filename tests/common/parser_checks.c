#include "parser_checks.h"
#include "http/form.h"
#include "model/order.h"
#include "providers/provider_int.h"
#include "providers/shopify/internal.h"
#include "util/buf.h"
#include "util/money.h"

#include <stdlib.h>
#include <string.h>

/* A parsed order the pipeline can use: an id, a currency, its arrays. */
static const char *order_broken(const struct order *o)
{
	size_t i;

	if (!o->id || !o->id[0])
		return "an order without an id";
	if (!o->currency || !money_currency_valid(o->currency))
		return "an order without a valid currency";
	if ((o->nlines && !o->lines) || (o->ncodes && !o->codes) ||
	    (o->nrefunds && !o->refunds))
		return "an order whose counts name missing arrays";
	for (i = 0; i < o->ncodes; i++)
		if (!o->codes[i])
			return "an order with a NULL code";
	return NULL;
}

/* Either a result or a reason. */
static const char *answer_broken(int rc, const struct buf *err)
{
	if (rc != 0 && rc != -1)
		return "an answer other than 0 or -1";
	if (rc < 0 && !buf_str(err)[0])
		return "a failure without a reason";
	return NULL;
}

int check_provider_parsers(const struct provider *p, const char *data,
			   size_t len, const char **broken)
{
	char id[128], email[256];
	struct order o;
	struct order_refund r;
	struct buf err;
	int rc;

	*broken = NULL;
	buf_init(&err, BUF_SMALL);
	rc = provider_parse_order(p, data, len, &o, &err);
	*broken = answer_broken(rc, &err);
	if (rc == 0) {
		if (!*broken)
			*broken = order_broken(&o);
		order_release(&o);
	}
	if (!*broken && p->parse_refund) {
		buf_reset(&err);
		rc = provider_parse_refund(p, data, len, id, sizeof(id), &r,
					   &err);
		*broken = answer_broken(rc, &err);
		if (rc == 0) {
			if (!*broken && !r.id)
				*broken = "a refund without an id";
			free(r.id);
		}
	}
	if (!*broken && p->parse_order_ref) {
		buf_reset(&err);
		rc = provider_parse_order_ref(p, data, len, id, sizeof(id),
					      &err);
		*broken = answer_broken(rc, &err);
	}
	if (!*broken && p->parse_privacy) {
		buf_reset(&err);
		rc = provider_parse_privacy(p, data, len, id, sizeof(id), email,
					    sizeof(email), &err);
		*broken = answer_broken(rc, &err);
	}
	buf_release(&err);
	return *broken ? -1 : 0;
}

int check_shopify_graphql(const char *data, size_t len, const char **broken)
{
	struct order o;
	struct order_refund r;
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = shopify_parse_graphql_order(data, len, &o, &err);
	*broken = answer_broken(rc, &err);
	if (rc == 0) {
		if (!*broken)
			*broken = order_broken(&o);
		order_release(&o);
	} else if (!*broken && (o.id || o.nlines || o.nrefunds)) {
		*broken = "a refused GraphQL order that still holds parts";
	}
	if (!*broken) {
		buf_reset(&err);
		rc = shopify_parse_graphql_refund(data, len, "USD", &r, &err);
		*broken = answer_broken(rc, &err);
		if (!*broken && rc == 0 && !r.id)
			*broken = "a GraphQL refund without an id";
		if (!*broken && rc < 0 && r.id)
			*broken = "a refused GraphQL refund that holds an id";
		free(r.id);
	}
	buf_release(&err);
	return *broken ? -1 : 0;
}

int check_neutral_order(const char *data, size_t len, const char **broken)
{
	struct order o;
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	order_init(&o);
	rc = order_from_json(data, len, &o, &err);
	*broken = answer_broken(rc, &err);
	if (rc == 0 && !*broken)
		*broken = order_broken(&o);
	order_release(&o);
	buf_release(&err);
	return *broken ? -1 : 0;
}

int check_form(const char *data, size_t len, const char **broken)
{
	struct form f;
	struct buf err;
	size_t i;
	int rc;

	buf_init(&err, BUF_SMALL);
	form_init(&f);
	rc = form_parse(&f, data, len, &err);
	*broken = answer_broken(rc, &err);
	if (!*broken && rc < 0 && f.n)
		*broken = "a refused form that still holds pairs";
	for (i = 0; !*broken && i < f.n; i++)
		if (!f.pairs[i].name || !f.pairs[i].name[0] ||
		    !f.pairs[i].value ||
		    strlen(f.pairs[i].name) > FORM_MAX_NAME ||
		    strlen(f.pairs[i].value) > FORM_MAX_VALUE)
			*broken = "a form pair without a name or over a limit";
	form_release(&f);
	buf_release(&err);
	return *broken ? -1 : 0;
}
