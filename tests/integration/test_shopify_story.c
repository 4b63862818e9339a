/*
 * The whole Shopify story against the simulator: install through OAuth,
 * a program and an affiliate, an orders/paid webhook with the
 * affiliate's code, the commission and its ledger entries, the reward
 * coupon created on the simulator, a refund clawing back; then every bad
 * input refused with nothing stored, privacy topics, uninstall, and
 * reconciliation of an order no webhook delivered.
 */
#include "util/crypto.h"
#include "util/encode.h"
#include "harness.h"
#include "util/json.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECRET	"story-secret-42"
#define API_KEY "story-api-key"
#define SHOP	"sally-mugs.myshopify.com"

static struct sim_proc sim;
static struct daemon_proc d;

/* Writes the daemon's database behind its back, to break things. */
static void db_exec(const char *sql)
{
	char path[256];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* How many lines of the daemon's log hold text. */
static int log_count(const char *text)
{
	FILE *f = fopen(d.log, "r");
	char line[8192];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

/* Sends a fixture as shop, signed with secret; the HTTP status. */
static long send_webhook_to(const struct daemon_proc *to, const char *secret,
			    const char *shop, const char *topic,
			    const char *file, const char *webhook_id,
			    const char *extra)
{
	char url[160], status_text[16];
	struct buf out;
	const char *args[16] = {"send", "--url",  url,	"--secret",
				secret, "--shop", shop, "--topic",
				topic,	"--file", file};
	int n = 11;

	snprintf(url, sizeof(url), "%s/webhooks/shopify", to->base);
	if (webhook_id) {
		args[n++] = "--webhook-id";
		args[n++] = webhook_id;
	}
	if (extra)
		args[n++] = extra;
	args[n] = NULL;
	buf_init(&out, BUF_SMALL);
	assert_int_equal(sim_run("sim_shopify", args, &out), 0);
	snprintf(status_text, sizeof(status_text), "%s", buf_str(&out));
	buf_release(&out);
	return strtol(status_text, NULL, 10);
}

static long send_webhook_as(const char *secret, const char *shop,
			    const char *topic, const char *file,
			    const char *webhook_id, const char *extra)
{
	return send_webhook_to(&d, secret, shop, topic, file, webhook_id,
			       extra);
}

/*
 * Sends an orders/paid fixture signed with secret to to until the answer
 * is want, for up to 6 s: a shop's own secret reaches the daemon within a
 * second of being stored or dropped. The last answer.
 */
static long send_until(const struct daemon_proc *to, const char *secret,
		       const char *shop, const char *file,
		       const char *webhook_id, long want)
{
	long status = 0;
	int i;

	for (i = 0; i < 60 && status != want; i++) {
		status = send_webhook_to(to, secret, shop, "orders/paid", file,
					 webhook_id, NULL);
		if (status != want)
			usleep(100 * 1000);
	}
	return status;
}

/* Sends a fixture (or raw text) as a signed webhook; the HTTP status. */
static long send_webhook(const char *topic, const char *file,
			 const char *webhook_id, const char *extra)
{
	return send_webhook_as(SECRET, SHOP, topic, file, webhook_id, extra);
}

static void fixture_path(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/tests/fixtures/shopify/%s", source_dir(), name);
}

/*
 * fixture_path of a copy of the fixture for another shop: an order's
 * order_status_url names its shop, and a body naming another shop than
 * the headers is refused as a replay.
 */
static void shop_fixture_path(const char *name, const char *shop, char *out,
			      size_t n)
{
	struct buf body, copy;
	const char *p, *hit;
	char rel[160];
	FILE *f;

	snprintf(rel, sizeof(rel), "tests/fixtures/shopify/%s", name);
	buf_init(&body, BUF_LARGE);
	buf_init(&copy, BUF_LARGE);
	assert_int_equal(read_fixture(rel, &body), 0);
	for (p = buf_str(&body); (hit = strstr(p, SHOP));
	     p = hit + strlen(SHOP))
		assert_int_equal(
			buf_printf(&copy, "%.*s%s", (int)(hit - p), p, shop),
			0);
	assert_int_equal(buf_printf(&copy, "%s", p), 0);
	snprintf(out, n, "%s/%s-%s", d.dir, shop, name);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(copy.data, 1, copy.len, f), copy.len);
	fclose(f);
	buf_release(&body);
	buf_release(&copy);
}

/* POSTs json to the simulator's control path; expects 200. */
static void sim_control(const char *path, const char *json)
{
	struct http_reply r;
	char url[160];

	snprintf(url, sizeof(url), "%s%s", sim.base, path);
	reply_init(&r);
	assert_int_equal(http_post(url, NULL, json, strlen(json), &r), 0);
	assert_int_equal(r.status, 200);
	reply_release(&r);
}

static cJSON *sim_state(void)
{
	struct http_reply r;
	char url[128];
	cJSON *j;

	reply_init(&r);
	snprintf(url, sizeof(url), "%s/_sim/state", sim.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	j = cJSON_Parse(buf_str(&r.body));
	reply_release(&r);
	assert_non_null(j);
	return j;
}

/* Signs a Shopify query (keys sorted; here they already are) with hex. */
static void sign_query(const char *query, char hex_out[65])
{
	unsigned char mac[32];
	struct buf hex;

	crypto_hmac_sha256(SECRET, strlen(SECRET), query, strlen(query), mac);
	buf_init(&hex, 128);
	assert_int_equal(hex_encode(&hex, mac, 32), 0);
	snprintf(hex_out, 65, "%s", buf_str(&hex));
	buf_release(&hex);
}

/* The query string of a URL (after '?'). */
static const char *query_of(const char *url)
{
	const char *q = strchr(url, '?');

	return q ? q + 1 : "";
}

/* The OAuth install, start to end; the merchant lands on landing. */
static void install(const char *landing)
{
	struct http_reply r;
	char query[256], hmac[65], url[1024], loc[2048], cookie[256];
	char state_cookie[300] = "Cookie: ";
	const char *headers[] = {state_cookie, NULL};
	char *semi;

	reply_init(&r);
	snprintf(query, sizeof(query), "shop=%s&timestamp=%lld", SHOP,
		 (long long)time(NULL));
	sign_query(query, hmac);
	snprintf(url, sizeof(url), "%s/install/shopify?%s&hmac=%s", d.base,
		 query, hmac);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	assert_non_null(
		strstr(loc, "/admin/oauth/authorize?client_id=" API_KEY));
	assert_non_null(reply_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	semi = strchr(cookie, ';');
	if (semi)
		*semi = '\0';
	snprintf(state_cookie, sizeof(state_cookie), "Cookie: %s", cookie);

	/* The merchant approves on the simulator, which redirects back. */
	assert_int_equal(http_get(loc, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	snprintf(url, sizeof(url), "%s/auth/shopify/callback?%s", d.base,
		 query_of(loc));

	/* Without the browser's cookie the state is refused. */
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	reply_release(&r);
	reply_init(&r);
	/* That attempt used the state up: start again, properly. */
	snprintf(query, sizeof(query), "shop=%s&timestamp=%lld", SHOP,
		 (long long)time(NULL));
	sign_query(query, hmac);
	snprintf(url, sizeof(url), "%s/install/shopify?%s&hmac=%s", d.base,
		 query, hmac);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	assert_non_null(reply_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	if ((semi = strchr(cookie, ';')))
		*semi = '\0';
	snprintf(state_cookie, sizeof(state_cookie), "Cookie: %s", cookie);
	assert_int_equal(http_get(loc, NULL, &r), 0);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	snprintf(url, sizeof(url), "%s/auth/shopify/callback?%s", d.base,
		 query_of(loc));
	assert_int_equal(http_get(url, headers, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	assert_string_equal(loc, landing);

	/* Replaying the same callback: the state is single-use. */
	assert_int_equal(http_get(url, headers, &r), 0);
	assert_int_equal(r.status, 400);
	reply_release(&r);
}

static int setup(void **state)
{
	const char *sim_args[] = {"--secret", SECRET, "--api-key", API_KEY,
				  NULL};
	char ini[512];

	(void)state;
	sim_start(&sim, "sim_shopify", sim_args);
	snprintf(ini, sizeof(ini),
		 "[server]\npublic_url = http://127.0.0.1:9\n"
		 "reconcile_interval = 0\n"
		 "[shopify]\napi_key = %s\napi_secret = %s\n"
		 "base_url = %s/{shop}\n"
		 /* the fixtures' orders are older than Shopify's 60 days */
		 "scopes = read_orders,read_all_orders,read_discounts,"
		 "write_discounts,read_gift_cards,write_gift_cards\n"
		 "[rewards]\nbackoff_ms = 50\n",
		 API_KEY, SECRET, sim.base);
	daemon_start(&d, ini);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	daemon_stop(&d);
	daemon_cleanup(&d);
	sim_stop(&sim);
	return 0;
}

static void test_install_and_webhooks(void **state)
{
	const char *shops[] = {"shops", "list", "--json", NULL};
	cJSON *st, *hooks;
	struct http_reply r;
	char url[160], loc[256];
	struct buf out;

	(void)state;
	buf_init(&out, BUF_LARGE);
	install("/wizard");
	assert_non_null(cli_out(&d, shops, &out));
	assert_non_null(strstr(buf_str(&out), "\"shop\":\"" SHOP "\""));
	assert_non_null(strstr(buf_str(&out), "\"currency\":\"USD\""));
	assert_non_null(strstr(buf_str(&out), "\"status\":\"active\""));
	st = sim_state();
	hooks = cJSON_GetObjectItem(st, "webhooks");
	assert_int_equal(cJSON_GetArraySize(hooks), 6);
	cJSON_Delete(st);
	/* One shop: a link with an unknown code leads to its home page. */
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/r/NO-SUCH-CODE", d.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_string_equal(reply_header(&r, "Location", loc, sizeof(loc)),
			    "https://" SHOP "/");
	assert_null(reply_header(&r, "Set-Cookie", loc, sizeof(loc)));
	reply_release(&r);
	buf_release(&out);
}

static void test_order_credit_reward_refund(void **state)
{
	const char *prog[] = {"programs", "add",	 "--shop",    SHOP,
			      "--name",	  "Influencers", "--percent", "15",
			      "--reward", "coupon",	 NULL};
	const char *aff[] = {
		"affiliates", "add",	 "--program", "1",
		"--name",     "Sally",	 "--email",   "sally@example.net",
		"--coupon",   "SALLY20", NULL};
	const char *orders[] = {"orders", "list", "--json", NULL};
	const char *ledger[] = {"ledger", "--affiliate", "1", "--json", NULL};
	const char *rewards[] = {"rewards", "list", "--json", NULL};
	const char *verify[] = {"ledger", "verify", NULL};
	char file[512];
	struct buf out;
	cJSON *st;
	const cJSON *disc;

	(void)state;
	buf_init(&out, BUF_LARGE);
	assert_non_null(cli_out(&d, prog, &out));
	assert_non_null(cli_out(&d, aff, &out));
	fixture_path("order_coupon.json", file, sizeof(file));
	assert_int_equal(send_webhook("orders/paid", file, "wh-paid-1", NULL),
			 200);
	/* 15% of 64.00 USD: 9.60, approved at once (no holding period). */
	wait_cli(&d, orders, "\"commission\":960");
	wait_cli(&d, orders, "coupon SALLY20 belongs to affiliate 1 (Sally)");
	wait_cli(&d, rewards, "\"status\":\"issued\"");
	assert_non_null(cli_out(&d, ledger, &out));
	assert_non_null(strstr(buf_str(&out), "\"kind\":\"accrual\""));
	assert_non_null(strstr(buf_str(&out), "\"kind\":\"payout\""));

	/* The coupon is on the simulator, created once. */
	st = sim_state();
	disc = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "discounts"), 0);
	assert_non_null(disc);
	assert_int_equal(cJSON_GetObjectItem(disc, "creates_ok")->valueint, 1);
	assert_int_equal(strlen(cJSON_GetObjectItem(disc, "code")->valuestring),
			 16);
	cJSON_Delete(st);

	/* A redelivery of the same webhook stores nothing new. */
	assert_int_equal(send_webhook("orders/paid", file, "wh-paid-1", NULL),
			 200);
	assert_true(daemon_wait_log(&d, "duplicate=1", 5000));

	/* The refund of one line claws back its share, after the payout. */
	fixture_path("refund_one_line.json", file, sizeof(file));
	assert_int_equal(
		send_webhook("refunds/create", file, "wh-refund-1", NULL), 200);
	wait_cli(&d, ledger, "\"kind\":\"reversal\"");
	assert_non_null(cli_out(&d, ledger, &out));
	/* Paid out 960 as a coupon; the reversal leaves approved negative. */
	assert_non_null(strstr(buf_str(&out), "\"paid\":960"));
	assert_non_null(strstr(buf_str(&out), "\"approved\":-"));
	assert_non_null(cli_out(&d, verify, &out));
	assert_non_null(strstr(buf_str(&out), "ledger OK"));
	buf_release(&out);
}

/* How many times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/*
 * A refund of shipping only claws back nothing when the commission base
 * leaves shipping out. The refunds/create body cannot say what it
 * returned (no refund lines, no adjustments, as since 2024-10); the
 * refund as Shopify keeps it (refundShippingLines) is read first.
 */
static void test_shipping_only_refund(void **state)
{
	static const char refund[] =
		"\"refunds\": [{\"id\": 1012345678901234602, \"created_at\": "
		"\"2025-03-19T08:15:00-05:00\", \"refund_line_items\": [], "
		"\"order_adjustments\": [], \"refund_shipping_lines\": [{"
		"\"subtotal_amount\": \"6.50\", \"tax_amount\": \"0.00\"}], "
		"\"transactions\": [{\"kind\": \"refund\", \"status\": "
		"\"success\", \"amount\": \"6.50\", \"currency\": "
		"\"USD\"}]}]";
	const char *ledger[] = {"ledger", "--affiliate", "1", "--json", NULL};
	struct http_reply r;
	struct buf body, order, before, out;
	char file[512], url[128];
	const char *at;

	(void)state;
	buf_init(&body, BUF_LARGE);
	buf_init(&order, BUF_LARGE);
	buf_init(&before, BUF_LARGE);
	buf_init(&out, BUF_LARGE);
	reply_init(&r);
	/* order_coupon on the platform, with the shipping refund. */
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/order_coupon.json", &body),
		0);
	at = strstr(buf_str(&body), "\"refunds\": []");
	assert_non_null(at);
	assert_int_equal(
		buf_append(&order, body.data, (size_t)(at - body.data)), 0);
	assert_int_equal(buf_puts(&order, refund), 0);
	assert_int_equal(buf_puts(&order, at + strlen("\"refunds\": []")), 0);
	snprintf(url, sizeof(url), "%s/_sim/orders", sim.base);
	assert_int_equal(http_post(url, NULL, order.data, order.len, &r), 0);
	assert_int_equal(r.status, 200);

	assert_non_null(cli_out(&d, ledger, &before));
	fixture_path("refund_shipping_only.json", file, sizeof(file));
	assert_int_equal(
		send_webhook("refunds/create", file, "wh-refund-ship", NULL),
		200);
	assert_true(daemon_wait_log(&d, "op=fetch_refund status=ok", 10000));
	/* Let the worker finish the item it read the refund for. */
	usleep(1500 * 1000);
	assert_non_null(cli_out(&d, ledger, &out));
	assert_int_equal(count_of(buf_str(&out), "\"kind\":\"reversal\""),
			 count_of(buf_str(&before), "\"kind\":\"reversal\""));
	assert_string_equal(buf_str(&out), buf_str(&before));
	reply_release(&r);
	buf_release(&body);
	buf_release(&order);
	buf_release(&before);
	buf_release(&out);
}

static void test_bad_deliveries(void **state)
{
	const char *hmac_header = "X-Shopify-Hmac-Sha256: bm9wZQ==";
	const char *headers[] = {
		"X-Shopify-Topic: orders/paid", "X-Shopify-Shop-Domain: " SHOP,
		"X-Shopify-Webhook-Id: wh-bad", hmac_header, NULL};
	char file[512], url[160], tmp[] = "/tmp/affiliated-body-XXXXXX";
	struct http_reply r;
	static char big[2 * 1024 * 1024];
	FILE *f;
	int fd;

	(void)state;
	fixture_path("order_coupon.json", file, sizeof(file));
	/* Bad and missing signatures: 401. */
	assert_int_equal(
		send_webhook("orders/paid", file, "wh-x1", "--bad-signature"),
		401);
	assert_int_equal(
		send_webhook("orders/paid", file, "wh-x2", "--no-signature"),
		401);
	/* Signed, but not JSON, truncated, or wrongly typed: stored (200),
	 * and failed by the worker (test_intake.c follows them through). */
	fixture_path("order_truncated.json", file, sizeof(file));
	assert_int_equal(send_webhook("orders/paid", file, "wh-x3", NULL), 200);
	fixture_path("order_bad_types.json", file, sizeof(file));
	assert_int_equal(send_webhook("orders/paid", file, "wh-x4", NULL), 200);
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("this is not json", f);
	fclose(f);
	assert_int_equal(send_webhook("orders/paid", tmp, "wh-x5", NULL), 200);
	unlink(tmp);

	/* An empty body has no valid signature; an oversize one is 413. */
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/webhooks/shopify", d.base);
	assert_int_equal(http_post(url, headers, "", 0, &r), 0);
	assert_int_equal(r.status, 401);
	memset(big, ' ', sizeof(big));
	assert_int_equal(http_post(url, headers, big, sizeof(big), &r), 0);
	assert_int_equal(r.status, 413);
	/* A platform that is not configured. */
	snprintf(url, sizeof(url), "%s/webhooks/bigcommerce", d.base);
	assert_int_equal(http_post(url, headers, "{}", 2, &r), 0);
	assert_int_equal(r.status, 404);
	reply_release(&r);
	assert_true(daemon_log_contains(&d, "reason=signature"));
}

/* expect_cli's little sibling: exit status and a piece of what it said. */
static void cli_says(const char *const *args, int code, const char *text)
{
	struct buf out, err;
	int rc;

	buf_init(&out, BUF_LARGE);
	buf_init(&err, BUF_SMALL);
	rc = run_cli(&d, &out, &err, args);
	if (rc != code ||
	    (!strstr(buf_str(&out), text) && !strstr(buf_str(&err), text)))
		fail_msg("exit %d (want %d), no '%s' in:\n%s%s", rc, code, text,
			 buf_str(&out), buf_str(&err));
	buf_release(&out);
	buf_release(&err);
}

/* The operator's commands on the story's program, affiliate and reward. */
static void test_operator_commands(void **state)
{
	char file[512], id[32], *before;
	const char *orders[] = {"orders", "list", "--json", NULL};
	const char *temp[] = {"affiliates", "add",	     "--program",
			      "1",	    "--name",	     "Temp",
			      "--email",    "t@example.net", NULL};
	const char *disable[] = {"affiliates", "disable", id, NULL};
	const char *disable_nobody[] = {"affiliates", "disable", "999", NULL};
	const char *cancel_issued[] = {"rewards", "cancel", "1", NULL};
	const char *cancel_nothing[] = {"rewards", "cancel", "999", NULL};
	const char *dry_run[] = {"simulate", "--program", "1",
				 "--orders", file,	  NULL};
	const char *no_program[] = {"simulate", "--program", "999",
				    "--orders", file,	     NULL};
	struct buf out;

	(void)state;
	buf_init(&out, BUF_LARGE);
	snprintf(file, sizeof(file), "%s/tests/fixtures/neutral/orders.jsonl",
		 source_dir());
	before = strdup(cli_out(&d, orders, &out));
	cli_says(dry_run, 0, "coupon SALLY20 belongs to affiliate 1 (Sally)");
	cli_says(dry_run, 0, "dry run: nothing was booked");
	assert_string_equal(cli_out(&d, orders, &out), before);
	cli_says(no_program, 1, "no program 999");

	assert_non_null(cli_out(&d, temp, &out));
	assert_int_equal(sscanf(buf_str(&out), "affiliate %31[0-9]", id), 1);
	cli_says(disable, 0, "disabled");
	cli_says(disable_nobody, 1, "no such affiliate");

	cli_says(cancel_issued, 1, "only pending or failed rewards");
	cli_says(cancel_nothing, 1, "no reward 999");
	free(before);
	buf_release(&out);
}

/* Opened again from the Shopify admin once a program exists. */
static void test_reopened_from_admin(void **state)
{
	(void)state;
	install("/admin");
}

static void test_install_refusals(void **state)
{
	struct http_reply r;
	char query[256], hmac[65], url[1024];
	const char *bad_shops[] = {"evil.com", "x.myshopify.com.evil.com",
				   "-x.myshopify.com", NULL};
	int i;

	(void)state;
	reply_init(&r);
	for (i = 0; bad_shops[i]; i++) {
		snprintf(query, sizeof(query), "shop=%s&timestamp=%lld",
			 bad_shops[i], (long long)time(NULL));
		sign_query(query, hmac);
		snprintf(url, sizeof(url), "%s/install/shopify?%s&hmac=%s",
			 d.base, query, hmac);
		assert_int_equal(http_get(url, NULL, &r), 0);
		assert_int_equal(r.status, 400);
	}
	/* Wrong hmac, no hmac, stale timestamp. */
	snprintf(url, sizeof(url),
		 "%s/install/shopify?shop=%s&timestamp=%lld&hmac=%064d", d.base,
		 SHOP, (long long)time(NULL), 0);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	snprintf(url, sizeof(url), "%s/install/shopify?shop=%s&timestamp=%lld",
		 d.base, SHOP, (long long)time(NULL));
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	snprintf(query, sizeof(query), "shop=%s&timestamp=%lld", SHOP,
		 (long long)time(NULL) - 3600);
	sign_query(query, hmac);
	snprintf(url, sizeof(url), "%s/install/shopify?%s&hmac=%s", d.base,
		 query, hmac);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(buf_str(&r.body), "stale"));
	/* A callback with a made-up state. */
	snprintf(url, sizeof(url),
		 "%s/auth/shopify/callback?code=abc&shop=%s&state=nope", d.base,
		 SHOP);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	reply_release(&r);
}

static void test_reconcile_finds_missed_order(void **state)
{
	const char *orders[] = {"orders", "list", "--json", NULL};
	const char *rec[] = {
		"reconcile", "--shop", SHOP, "--since", "2020-01-01T00:00:00Z",
		NULL};
	struct http_reply r;
	struct buf body, out;
	char url[128];

	(void)state;
	buf_init(&body, BUF_LARGE);
	buf_init(&out, BUF_LARGE);
	reply_init(&r);
	/* An order the daemon never heard of, only on the platform. */
	assert_int_equal(read_fixture("tests/fixtures/shopify/"
				      "order_several_codes.json",
				      &body),
			 0);
	snprintf(url, sizeof(url), "%s/_sim/orders", sim.base);
	assert_int_equal(http_post(url, NULL, body.data, body.len, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(cli_out(&d, rec, &out));
	assert_non_null(strstr(buf_str(&out), "1 no webhook had delivered"));
	wait_cli(&d, orders, "5678123456789012350");
	/* Again: nothing new. */
	assert_non_null(cli_out(&d, rec, &out));
	assert_non_null(strstr(buf_str(&out), "0 no webhook had delivered"));
	/* All through GraphQL: no REST Admin call reached the platform. */
	snprintf(url, sizeof(url), "%s/_sim/state", sim.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_non_null(strstr(buf_str(&r.body), "\"rest_calls\":0"));
	reply_release(&r);
	buf_release(&body);
	buf_release(&out);
}

/* Whether the shop's object in `shops list --json` holds text. */
static bool shop_says(const char *list, const char *shop, const char *text)
{
	char key[160];
	const char *at, *end, *hit;

	snprintf(key, sizeof(key), "\"shop\":\"%s\"", shop);
	at = strstr(list, key);
	end = at ? strchr(at, '}') : NULL;
	hit = at ? strstr(at, text) : NULL;
	return hit && end && hit < end;
}

/*
 * A custom app signs its shop's webhooks with its own client secret,
 * given to `shops add --secret`. The running daemon picks it up within
 * a second; the secret signs for that shop only.
 */
static void test_custom_app_secret(void **state)
{
	const char *custom = "sally-custom.myshopify.com";
	const char *add[] = {
		"shops",    "add",	    "--platform", "shopify",
		"--shop",   custom,	    "--token",	  "shpat_own",
		"--secret", "own-secret-7", "--currency", "USD",
		NULL};
	const char *empty[] = {"shops",	   "add",  "--platform", "shopify",
			       "--shop",   custom, "--token",	 "t",
			       "--secret", "",	   NULL};
	const char *ecwid[] = {"shops",	   "add",  "--platform", "ecwid",
			       "--shop",   "4242", "--token",	 "t",
			       "--secret", "s",	   "--currency", "USD",
			       NULL};
	const char *list[] = {"shops", "list", "--json", NULL};
	const char *drop[] = {"shops",	    "add",  "--platform",  "shopify",
			      "--shop",	    custom, "--token",	   "shpat_own",
			      "--currency", "USD",  "--no-secret", NULL};
	const char *contradiction[] = {"shops",	   "add",	"--platform",
				       "shopify",  "--shop",	custom,
				       "--token",  "shpat_own", "--no-secret",
				       "--secret", "x",		NULL};
	struct buf out;
	char file[512];

	(void)state;
	buf_init(&out, BUF_SMALL);
	/* Refused before anything is written. */
	assert_int_equal(run_cli(&d, &out, NULL, empty), 2);
	assert_int_equal(run_cli(&d, &out, NULL, ecwid), 2);
	assert_non_null(cli_out(&d, add, &out));
	assert_non_null(strstr(buf_str(&out), "its own secret"));
	/* The operator can see which shops sign with their own secret. */
	assert_non_null(cli_out(&d, list, &out));
	assert_true(shop_says(buf_str(&out), custom,
			      "\"own_webhook_secret\":true"));
	assert_true(
		shop_says(buf_str(&out), SHOP, "\"own_webhook_secret\":false"));
	shop_fixture_path("order_coupon.json", custom, file, sizeof(file));
	assert_int_equal(
		send_until(&d, "own-secret-7", custom, file, "wh-own-1", 200),
		200);
	/* Not for another shop, and a wrong secret is still wrong. */
	assert_int_equal(send_webhook_as("own-secret-7", SHOP, "orders/paid",
					 file, "wh-own-2", NULL),
			 401);
	assert_int_equal(send_webhook_as("not-own-secret", custom,
					 "orders/paid", file, "wh-own-3", NULL),
			 401);

	/* A secret that no longer unseals: said once, and it signs nothing. */
	db_exec("UPDATE shops SET webhook_secret = 'v1.not-sealed' WHERE "
		"domain = 'sally-custom.myshopify.com'");
	assert_true(
		daemon_wait_log(&d, "event=webhook_secret.unreadable", 5000));
	assert_int_equal(send_webhook_as("own-secret-7", custom, "orders/paid",
					 file, "wh-own-4", NULL),
			 401);
	usleep(2500 * 1000);
	assert_int_equal(log_count("event=webhook_secret.unreadable"), 1);

	/* Given again, the secret signs again; --no-secret drops it. */
	assert_non_null(cli_out(&d, add, &out));
	assert_int_equal(
		send_until(&d, "own-secret-7", custom, file, "wh-own-5", 200),
		200);
	assert_int_equal(run_cli(&d, &out, NULL, contradiction), 2);
	assert_non_null(cli_out(&d, drop, &out));
	assert_non_null(strstr(buf_str(&out), "the app's secret"));
	assert_non_null(cli_out(&d, list, &out));
	assert_true(shop_says(buf_str(&out), custom,
			      "\"own_webhook_secret\":false"));
	assert_int_equal(
		send_until(&d, "own-secret-7", custom, file, "wh-own-6", 401),
		401);
	assert_int_equal(send_webhook_as(SECRET, custom, "orders/paid", file,
					 "wh-own-7", NULL),
			 200);
	buf_release(&out);
}

/*
 * A daemon with no Shopify app at all, only a custom app's shop: its
 * webhooks verify with the shop's own secret, never with the empty app
 * secret, and the app's install pages say what is missing.
 */
static void test_custom_app_without_app(void **state)
{
	const char *custom = "solo-custom.myshopify.com";
	const char *add[] = {
		"shops",    "add",	     "--platform", "shopify",
		"--shop",   custom,	     "--token",	   "shpat_solo",
		"--secret", "solo-secret-9", "--currency", "USD",
		NULL};
	const char *orders[] = {"orders", "list", "--json", NULL};
	struct daemon_proc solo;
	struct http_reply r;
	struct buf out;
	char ini[512], file[512], url[256];

	(void)state;
	snprintf(ini, sizeof(ini),
		 "[server]\npublic_url = http://127.0.0.1:9\n"
		 "reconcile_interval = 0\n"
		 "[shopify]\nbase_url = %s/{shop}\n",
		 sim.base);
	daemon_start(&solo, ini);
	buf_init(&out, BUF_SMALL);
	reply_init(&r);
	shop_fixture_path("order_coupon.json", custom, file, sizeof(file));
	/* Anyone can compute an HMAC under the empty key. */
	assert_int_equal(send_webhook_to(&solo, "", custom, "orders/paid", file,
					 "wh-solo-0", NULL),
			 401);
	assert_non_null(cli_out(&solo, add, &out));
	assert_int_equal(send_until(&solo, "solo-secret-9", custom, file,
				    "wh-solo-1", 200),
			 200);
	wait_cli(&solo, orders, "5678123456789012345");
	assert_int_equal(send_webhook_to(&solo, "", custom, "orders/paid", file,
					 "wh-solo-2", NULL),
			 401);
	snprintf(url, sizeof(url), "%s/install/shopify?shop=%s", solo.base,
		 custom);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(buf_str(&r.body), "has no app"));
	reply_release(&r);
	buf_release(&out);
	daemon_stop(&solo);
	daemon_cleanup(&solo);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Token and secret from files, so that `ps` does not show them. */
static void test_secrets_from_files(void **state)
{
	const char *shop = "sally-files.myshopify.com";
	char token_path[] = "/tmp/affiliated-token-XXXXXX";
	char secret_path[] = "/tmp/affiliated-secret-XXXXXX";
	const char *add[] = {"shops",
			     "add",
			     "--platform",
			     "shopify",
			     "--shop",
			     shop,
			     "--token-file",
			     token_path,
			     "--secret-file",
			     secret_path,
			     "--currency",
			     "USD",
			     NULL};
	const char *missing[] = {"shops",
				 "add",
				 "--platform",
				 "shopify",
				 "--shop",
				 "nobody.myshopify.com",
				 "--token-file",
				 "/nonexistent/token",
				 NULL};
	const char *both[] = {
		"shops",   "add", "--platform",	  "shopify",  "--shop", shop,
		"--token", "t",	  "--token-file", token_path, NULL};
	const char *list[] = {"shops", "list", "--json", NULL};
	struct buf out, err;
	char file[512];

	(void)state;
	buf_init(&out, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	close(mkstemp(token_path));
	close(mkstemp(secret_path));
	/* Empty, missing, or given twice: refused, nothing written. */
	write_file(token_path, "");
	write_file(secret_path, "file-secret-9\n");
	assert_int_equal(run_cli(&d, &out, &err, add), 1);
	assert_non_null(strstr(buf_str(&err), "has no secret on its first"));
	assert_int_equal(run_cli(&d, &out, &err, missing), 1);
	assert_non_null(strstr(buf_str(&err), "cannot open /nonexistent"));
	assert_int_equal(run_cli(&d, &out, &err, both), 2);
	assert_non_null(cli_out(&d, list, &out));
	assert_null(strstr(buf_str(&out), shop));
	assert_null(strstr(buf_str(&out), "nobody.myshopify.com"));

	write_file(token_path, "shpat_from_file\r\n");
	assert_non_null(cli_out(&d, add, &out));
	assert_non_null(strstr(buf_str(&out), "its own secret"));
	shop_fixture_path("order_coupon.json", shop, file, sizeof(file));
	assert_int_equal(
		send_until(&d, "file-secret-9", shop, file, "wh-file-1", 200),
		200);
	unlink(token_path);
	unlink(secret_path);
	buf_release(&out);
	buf_release(&err);
}

static void test_privacy_and_uninstall(void **state)
{
	const char *privacy[] = {"privacy", "--json", NULL};
	const char *shops[] = {"shops", "list", "--json", NULL};
	char file[512];
	struct buf out;

	(void)state;
	buf_init(&out, BUF_LARGE);
	fixture_path("customers_data_request.json", file, sizeof(file));
	assert_int_equal(
		send_webhook("customers/data_request", file, "wh-p1", NULL),
		200);
	fixture_path("customers_redact.json", file, sizeof(file));
	assert_int_equal(send_webhook("customers/redact", file, "wh-p2", NULL),
			 200);
	wait_cli(&d, privacy, "customer_redact");
	wait_cli(&d, privacy, "data_request");
	fixture_path("app_uninstalled.json", file, sizeof(file));
	/* The shop's token still works: the platform refutes the uninstall. */
	assert_int_equal(send_webhook("app/uninstalled", file, "wh-u1", NULL),
			 401);
	assert_non_null(cli_out(&d, shops, &out));
	assert_non_null(strstr(buf_str(&out), "\"status\":\"active\""));
	/* Once the token is revoked the app is gone, and the uninstall goes
	 * through. */
	sim_control("/_sim/tokens/revoke", "{\"shop\":\"" SHOP "\"}");
	assert_int_equal(send_webhook("app/uninstalled", file, "wh-u1", NULL),
			 200);
	wait_cli(&d, shops, "\"status\":\"uninstalled\"");
	/* After the uninstall, order webhooks are for an unknown shop. */
	fixture_path("order_coupon.json", file, sizeof(file));
	assert_int_equal(send_webhook("orders/paid", file, "wh-after", NULL),
			 404);
	/* shop/redact still arrives 48 hours later, and is honoured. */
	fixture_path("shop_redact.json", file, sizeof(file));
	assert_int_equal(send_webhook("shop/redact", file, "wh-p3", NULL), 200);
	wait_cli(&d, shops, "\"status\":\"redacted\"");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_and_webhooks),
		cmocka_unit_test(test_order_credit_reward_refund),
		cmocka_unit_test(test_shipping_only_refund),
		cmocka_unit_test(test_bad_deliveries),
		cmocka_unit_test(test_operator_commands),
		cmocka_unit_test(test_reopened_from_admin),
		cmocka_unit_test(test_install_refusals),
		cmocka_unit_test(test_reconcile_finds_missed_order),
		cmocka_unit_test(test_custom_app_secret),
		cmocka_unit_test(test_custom_app_without_app),
		cmocka_unit_test(test_secrets_from_files),
		cmocka_unit_test(test_privacy_and_uninstall),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
