/*
 * Ecwid: event webhooks, signed over "<eventCreated>.<eventId>", which
 * name the store and the order but carry no order.
 */
#include "providers/ecwid/internal.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/clock.h"
#include "util/parse.h"

#include <string.h>

/*
 * X-Ecwid-Webhook-Signature = base64(HMAC-SHA256(client_secret,
 * "<eventCreated>.<eventId>")). The body itself is not signed, which is
 * why order events only lead to a fetch. eventCreated is signed, so it
 * bounds replays: older than ECWID_MAX_AGE or more than ten minutes ahead
 * of our clock is refused. Ecwid retries for 24 hours (27 attempts), and
 * every retry carries the first eventCreated, so the window is twice that:
 * exactly a day would refuse the last retries, and any queueing on
 * Ecwid's side on top.
 */
bool ecwid_verify_webhook(const struct platform_config *cfg,
			  const struct provider_request *req)
{
	const char *sig =
		req->header ? req->header(req->ctx, "X-Ecwid-Webhook-Signature")
			    : NULL;
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf err, msg, mine;
	const char *created, *id;
	bool bad = false, ok = false;
	cJSON *root = NULL;
	int64_t t, now = clock_now();

	if (!sig || !sig[0] || !cfg->client_secret || !cfg->client_secret[0])
		return false;
	buf_init(&err, BUF_SMALL);
	buf_init(&msg, BUF_SMALL);
	buf_init(&mine, 128);
	root = json_parse(req->body, req->len, &err);
	created = ecwid_text(root, "eventCreated", &bad, &err);
	id = ecwid_text(root, "eventId", &bad, &err);
	if (!root || bad || !created || !id ||
	    parse_int_str(created, INT64_MAX, &t) < 0 ||
	    t < now - ECWID_MAX_AGE || t > now + ECWID_MAX_AHEAD ||
	    buf_printf(&msg, "%s.%s", created, id) < 0)
		goto out;
	crypto_hmac_sha256(cfg->client_secret, strlen(cfg->client_secret),
			   msg.data, msg.len, mac);
	if (base64_encode(&mine, mac, sizeof(mac)) == 0)
		ok = crypto_equal(mine.data, mine.len, sig, strlen(sig));
out:
	cJSON_Delete(root);
	buf_release(&err);
	buf_release(&msg);
	buf_release(&mine);
	return ok;
}

/*
 * What each event means to us. order.deleted is ignored: the body names
 * an order that can no longer be fetched, and deleting is not cancelling
 * or refunding (those come as order.updated with the new payment status),
 * so whatever was booked stays as it was. profile.personalData* concern
 * the merchant's own data, which has no neutral kind yet. Every other
 * event (unfinished_order.*, product.*, ...) is ignored too.
 */
static const struct ecwid_event {
	const char *type;
	enum webhook_kind kind;
} ecwid_events[] = {
	{"order.created", WEBHOOK_ORDER_REF},
	{"order.updated", WEBHOOK_ORDER_REF},
	{"application.uninstalled", WEBHOOK_UNINSTALLED},
	{"customer.personalDataRemovalRequest", WEBHOOK_CUSTOMER_REDACT},
	{"customer.personalDataExportRequest", WEBHOOK_DATA_REQUEST},
};

static enum webhook_kind ecwid_event_kind(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(ecwid_events) / sizeof(ecwid_events[0]); i++)
		if (strcmp(ecwid_events[i].type, type) == 0)
			return ecwid_events[i].kind;
	return WEBHOOK_IGNORED;
}

static int ecwid_event_fields(const cJSON *root, struct webhook_info *out,
			      struct buf *err)
{
	bool bad = false;
	const char *store = ecwid_text(root, "storeId", &bad, err);
	const char *id = ecwid_text(root, "eventId", &bad, err);
	const char *type = ecwid_text(root, "eventType", &bad, err);
	const char *created = ecwid_text(root, "eventCreated", &bad, err);

	if (bad)
		return -1;
	if (!store || !id || !type)
		return errorf(err, "field '%s' is missing",
			      !store ? "storeId"
			      : !id  ? "eventId"
				     : "eventType");
	if (!ecwid_digits(store))
		return errorf(err, "field 'storeId': '%.40s' is not a number",
			      store);
	if (created && parse_int_str(created, INT64_MAX, &out->event_time) < 0)
		return errorf(err,
			      "field 'eventCreated': '%.40s' is not a Unix "
			      "time",
			      created);
	if (ecwid_copy(out->shop, sizeof(out->shop), store) < 0 ||
	    ecwid_copy(out->delivery_id, sizeof(out->delivery_id), id) < 0 ||
	    ecwid_copy(out->topic, sizeof(out->topic), type) < 0)
		return errorf(err, "storeId, eventId or eventType too long");
	out->kind = ecwid_event_kind(type);
	return 0;
}

int ecwid_classify_webhook(const struct provider_request *req,
			   struct webhook_info *out, struct buf *err)
{
	cJSON *root = json_parse(req->body, req->len, err);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (root && !cJSON_IsObject(root))
		errorf(err, "not a JSON object");
	else if (root)
		rc = ecwid_event_fields(root, out, err);
	cJSON_Delete(root);
	return rc < 0 ? error_prefix(err, "ecwid event") : 0;
}

/* data.orderId (the id the REST API takes), else the older entityId. */
int ecwid_parse_order_ref(const char *json, size_t len, char *order_id,
			  size_t n, struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	bool bad = false;
	const cJSON *data = ecwid_object(root, "data", &bad, err);
	const char *id = ecwid_text(data, "orderId", &bad, err);
	int rc = -1;

	if (!id && !bad)
		id = ecwid_text(root, "entityId", &bad, err);
	if (!root || bad)
		error_prefix(err, "ecwid event");
	else if (!id)
		errorf(err, "ecwid event names no order (no data.orderId or "
			    "entityId)");
	else if (n == 0 || ecwid_copy(order_id, n, id) < 0)
		errorf(err, "ecwid order id too long");
	else
		rc = 0;
	cJSON_Delete(root);
	return rc;
}

/*
 * customer.personalData{Removal,Export}Request: entityId is the customer
 * id (as in every customer.* event) and data.customerEmail, when Ecwid
 * sends it, the email.
 */
int ecwid_parse_privacy(const char *json, size_t len, char *customer_id,
			size_t idn, char *email, size_t emailn, struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	bool bad = false;
	const cJSON *data = ecwid_object(root, "data", &bad, err);
	const char *id = ecwid_text(root, "entityId", &bad, err);
	const char *mail = ecwid_text(data, "customerEmail", &bad, err);
	int rc = -1;

	if (!root || bad)
		error_prefix(err, "ecwid privacy event");
	else if (!id && !mail)
		errorf(err, "ecwid privacy event names no customer");
	else if (idn == 0 || emailn == 0 ||
		 ecwid_copy(customer_id, idn, id ? id : "") < 0 ||
		 ecwid_copy(email, emailn, mail ? mail : "") < 0)
		errorf(err, "ecwid privacy event: customer id or email too "
			    "long");
	else
		rc = 0;
	cJSON_Delete(root);
	return rc;
}
