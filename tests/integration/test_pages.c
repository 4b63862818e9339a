/*
 * The merchant's and the affiliate's pages against the real daemon:
 * signup, login, CSRF, sessions (expiry, one shop, one affiliate),
 * escaping, click tracking, CSV export, rate limits and bad forms.
 * Shops and programs come from the CLI and sign-in links from the store
 * API, all before the daemon starts.
 */
#include "harness.h"
#include "http/session.h"
#include "store/store.h"
#include "store/store_sessions.h"
#include "util/clock.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SHOP_A	"sally.myshopify.com"
#define SHOP_B	"bob.myshopify.com"
#define HOSTILE "<script>alert(1)</script> \"Q\""

static struct daemon_proc d;

/* Everything an exchange needs: the reply and the cookies kept. */
struct browser {
	struct http_reply r;
	char cookies[1024];
};

static void cli_ok(const char *const *args)
{
	struct buf out, err;

	buf_init(&out, BUF_MEDIUM);
	buf_init(&err, BUF_MEDIUM);
	if (run_cli(&d, &out, &err, args) != 0)
		fail_msg("cli %s %s: %s", args[0], args[1], buf_str(&err));
	buf_release(&out);
	buf_release(&err);
}

static void add_link(const char *token, const char *domain)
{
	char path[256], hash[65];
	struct store *st;
	struct store_tx *tx;
	struct buf err;
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t shop = 0;

	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT id FROM shops WHERE "
					    "domain = ?",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	shop = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	buf_init(&err, BUF_SMALL);
	st = store_open(path, 0, &err);
	assert_non_null(st);
	token_hash(token, hash);
	assert_int_equal(store_tx_begin(st, &tx, &err), 0);
	assert_int_equal(
		store_signin_link_add(tx, hash, shop, clock_now() + 600, &err),
		0);
	assert_int_equal(store_tx_commit(tx, &err), 0);
	store_close(st);
	buf_release(&err);
}

static int64_t count_rows(const char *sql)
{
	char path[256];
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t n;

	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/*
 * Clicks are written within 50 ms of their redirect (click_queue.h):
 * reads sql until it gives want, for at most a second, and returns the
 * last value read.
 */
static int64_t count_settled(const char *sql, int64_t want)
{
	int64_t n = count_rows(sql);
	int i;

	for (i = 0; i < 100 && n != want; i++) {
		usleep(10000);
		n = count_rows(sql);
	}
	return n;
}

/* After three commit windows, what was queued is written. */
static int64_t count_later(const char *sql)
{
	usleep(150000);
	return count_rows(sql);
}

static int setup(void **state)
{
	const char *shop_a[] = {"shops",      "add",
				"--platform", "shopify",
				"--shop",     SHOP_A,
				"--token",    "t1",
				"--name",     "Sally " HOSTILE,
				"--currency", "USD",
				NULL};
	const char *shop_b[] = {"shops",      "add",  "--platform", "shopify",
				"--shop",     SHOP_B, "--token",    "t2",
				"--currency", "JPY",  NULL};
	const char *prog_a[] = {
		"programs",  "add",
		"--shop",    SHOP_A,
		"--name",    "Friends",
		"--percent", "10",
		"--landing", "https://" SHOP_A "/pages/hi?x=1#top",
		NULL};
	const char *prog_b[] = {"programs", "add",    "--shop",
				SHOP_B,	    "--name", "Bob's",
				"--fixed",  "500",    "--approve-affiliates",
				NULL};

	(void)state;
	unsetenv("AFFILIATED_TIME_OFFSET");
	/* Every click counts here: test_clicks tells them apart by network
	 * from one address (the window is tested in test_clicks.c). */
	daemon_prepare(&d, "[security]\nsession_ttl = 3600\n"
			   "[clicks]\nwindow = 0\n");
	cli_ok(shop_a);
	cli_ok(shop_b);
	cli_ok(prog_a);
	cli_ok(prog_b);
	add_link("link-a-1", SHOP_A);
	add_link("link-a-2", SHOP_A);
	add_link("link-a-3", SHOP_A);
	add_link("link-b-1", SHOP_B);
	daemon_spawn(&d);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	daemon_stop(&d);
	daemon_cleanup(&d);
	return 0;
}

static void browser_init(struct browser *b)
{
	reply_init(&b->r);
	b->cookies[0] = '\0';
}

/* Keeps every Set-Cookie of the last reply (a deletion removes it). */
static void keep_cookies(struct browser *b)
{
	const char *p = buf_str(&b->r.headers);
	char jar[1024], name[64], pair[512];
	size_t n;

	while ((p = strcasestr(p, "\nSet-Cookie: "))) {
		p += 13;
		n = strcspn(p, ";\r\n");
		snprintf(pair, sizeof(pair), "%.*s", (int)n, p);
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(pair, "="),
			 pair);
		/* Drop the old value of that cookie, then add the new one. */
		jar[0] = '\0';
		for (const char *c = b->cookies; *c;) {
			size_t len = strcspn(c, ";");

			if (!(strncmp(c, name, strlen(name)) == 0 &&
			      c[strlen(name)] == '='))
				snprintf(jar + strlen(jar),
					 sizeof(jar) - strlen(jar), "%s%.*s",
					 jar[0] ? "; " : "", (int)len, c);
			c += len;
			while (*c == ';' || *c == ' ')
				c++;
		}
		if (pair[strlen(name) + 1] &&
		    !memmem(p, strcspn(p, "\r\n"), "Max-Age=0", 9))
			snprintf(jar + strlen(jar), sizeof(jar) - strlen(jar),
				 "%s%s", jar[0] ? "; " : "", pair);
		snprintf(b->cookies, sizeof(b->cookies), "%s", jar);
	}
}

static long request(struct browser *b, const char *method, const char *path,
		    const char *body, const char *extra)
{
	char url[512], cookie[1100];
	const char *headers[4] = {NULL};
	int n = 0;

	snprintf(url, sizeof(url), "%s%s", d.base, path);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", b->cookies);
	if (b->cookies[0])
		headers[n++] = cookie;
	if (extra)
		headers[n++] = extra;
	assert_int_equal(http_request(method, url, headers, body,
				      body ? strlen(body) : 0, &b->r),
			 0);
	keep_cookies(b);
	return b->r.status;
}

static long get(struct browser *b, const char *path)
{
	return request(b, "GET", path, NULL, NULL);
}

/* The value of the last csrf field on the page just fetched. */
static void csrf_of(const struct browser *b, char out[80])
{
	const char *p = buf_str(&b->r.body), *last = NULL, *v;

	while ((p = strstr(p, "name=\"csrf\" value=\"")))
		last = p = p + 19;
	assert_non_null(last);
	v = last;
	snprintf(out, 80, "%.*s", (int)strcspn(v, "\""), v);
}

static long post_form(struct browser *b, const char *path, const char *fmt, ...)
{
	char body[4096], csrf[80];
	va_list ap;
	int n;

	csrf_of(b, csrf);
	n = snprintf(body, sizeof(body), "csrf=%s&", csrf);
	va_start(ap, fmt);
	vsnprintf(body + n, sizeof(body) - (size_t)n, fmt, ap);
	va_end(ap);
	return request(b, "POST", path, body, NULL);
}

static int has(const struct browser *b, const char *text)
{
	return strstr(buf_str(&b->r.body), text) != NULL;
}

static void sign_up(struct browser *b, const char *shop, const char *name,
		    const char *email)
{
	char path[128];

	snprintf(path, sizeof(path), "/a/%s/signup", shop);
	assert_int_equal(get(b, path), 200);
	assert_int_equal(post_form(b, path,
				   "name=%s&email=%s&password=correct+horse+"
				   "battery",
				   name, email),
			 303);
	/* Signup signs nobody in (it answers known emails alike): log in. */
	snprintf(path, sizeof(path), "/a/%s/login", shop);
	assert_int_equal(get(b, path), 200);
	assert_int_equal(post_form(b, path,
				   "email=%s&password=correct+horse+battery",
				   email),
			 303);
}

static void merchant_signin(struct browser *b, const char *token)
{
	char path[128];

	snprintf(path, sizeof(path), "/admin/signin?token=%s", token);
	assert_int_equal(get(b, path), 200);
	assert_int_equal(post_form(b, "/admin/signin", "token=%s", token), 303);
}

static void test_signup_login_logout(void **state)
{
	struct browser b;
	char loc[256];

	(void)state;
	browser_init(&b);
	sign_up(&b, SHOP_A, "Jane+Doe", "Jane%40Example.com");
	assert_string_equal(reply_header(&b.r, "Location", loc, sizeof(loc)),
			    "/a/" SHOP_A "/");
	assert_non_null(strstr(b.cookies, COOKIE_AFFILIATE "="));
	assert_int_equal(get(&b, "/a/" SHOP_A "/"), 200);
	assert_true(has(&b, "Hello, Jane Doe"));
	assert_true(has(&b, "/r/JANE"));
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/logout", ""), 303);
	assert_int_equal(get(&b, "/a/" SHOP_A "/"), 303);

	assert_int_equal(get(&b, "/a/" SHOP_A "/login"), 200);
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/login",
				   "email=jane%%40example.com&password=wrong+"
				   "password+here"),
			 401);
	assert_true(has(&b, "Wrong email or password."));
	assert_true(has(&b, "value=\"jane@example.com\""));
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/login",
				   "email=JANE%%40example.com&password="
				   "correct+horse+battery"),
			 303);
	assert_int_equal(get(&b, "/a/" SHOP_A "/"), 200);
	reply_release(&b.r);
}

static void test_bad_signups(void **state)
{
	struct browser b;
	char name[400];
	int64_t before;

	(void)state;
	browser_init(&b);
	sign_up(&b, SHOP_A, "Dup", "dup%40example.com");
	before = count_rows("SELECT count(*) FROM affiliates");
	reply_release(&b.r);
	browser_init(&b);
	assert_int_equal(get(&b, "/a/" SHOP_A "/signup"), 200);
	/* Answered as a new one, and nothing made (counted below). */
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/signup",
				   "name=Dup2&email=DUP%%40example.com&"
				   "password=another+long+one"),
			 303);
	assert_false(has(&b, "already has an account"));
	assert_int_equal(get(&b, "/a/" SHOP_A "/signup"), 200);
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/signup",
				   "name=Weak&email=weak%%40example.com&"
				   "password=short"),
			 422);
	assert_true(has(&b, "Use at least 10 characters."));
	assert_true(has(&b, "value=\"weak@example.com\""));
	memset(name, 'x', 300);
	name[300] = '\0';
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/signup",
				   "name=%s&email=not-an-email&password="
				   "long+enough+password",
				   name),
			 422);
	assert_true(has(&b, "This is too long: at most 100 characters."));
	assert_true(has(&b, "Enter an email address"));
	assert_int_equal(post_form(&b, "/a/" SHOP_A "/signup",
				   "name=%%zz&email=a%%40b.co"),
			 400);
	assert_int_equal(count_rows("SELECT count(*) FROM affiliates"), before);
	reply_release(&b.r);
}

static void test_csrf(void **state)
{
	struct browser b, m;
	int64_t before = count_rows("SELECT count(*) FROM affiliates");
	int64_t programs = count_rows("SELECT count(*) FROM programs");

	(void)state;
	browser_init(&b);
	assert_int_equal(get(&b, "/a/" SHOP_A "/signup"), 200);
	assert_int_equal(request(&b, "POST", "/a/" SHOP_A "/signup",
				 "csrf=0000&name=X&email=x%40example.com&"
				 "password=long+enough+pw",
				 NULL),
			 403);
	assert_true(has(&b, "This form has expired"));
	assert_int_equal(request(&b, "POST", "/a/" SHOP_A "/signup",
				 "name=X&email=x%40example.com&password=long+"
				 "enough+pw",
				 NULL),
			 403);
	assert_int_equal(count_rows("SELECT count(*) FROM affiliates"), before);

	browser_init(&m);
	merchant_signin(&m, "link-a-1");
	assert_int_equal(get(&m, "/wizard"), 200);
	assert_int_equal(request(&m, "POST", "/wizard",
				 "csrf=forged&step=6&name=P&kind=referral&"
				 "landing=https%3A%2F%2F" SHOP_A "%2F&reward_"
				 "type=percent&rate=10&friend=0&window=30",
				 NULL),
			 403);
	assert_int_equal(count_rows("SELECT count(*) FROM programs"), programs);
	reply_release(&b.r);
	reply_release(&m.r);
}

static void test_merchant_scope(void **state)
{
	struct browser m;
	char path[128];
	int64_t bprog = count_rows("SELECT max(id) FROM programs WHERE "
				   "shop_id = (SELECT id FROM shops WHERE "
				   "domain = '" SHOP_B "')");
	int64_t baff;
	struct browser b;

	(void)state;
	browser_init(&b);
	sign_up(&b, SHOP_B, "Bobby", "bobby%40example.com");
	baff = count_rows("SELECT max(id) FROM affiliates");
	assert_int_equal(count_rows("SELECT count(*) FROM affiliates WHERE "
				    "email = 'bobby@example.com' AND status "
				    "= 'pending'"),
			 1);
	browser_init(&m);
	assert_int_equal(get(&m, "/admin"), 401);
	merchant_signin(&m, "link-a-2");
	assert_int_equal(get(&m, "/admin"), 200);
	assert_non_null(strstr(buf_str(&m.r.headers),
			       "Content-Security-Policy: default-src 'self'"));
	/* The platforms' admins may frame the pages, nobody else. */
	assert_non_null(strstr(buf_str(&m.r.headers),
			       "frame-ancestors 'self' https://my.ecwid.com "
			       "https://my.shopsettings.com\r\n"));
	assert_true(has(&m, "<html lang=\"en\">"));
	snprintf(path, sizeof(path), "/admin/programs/%lld", (long long)bprog);
	assert_int_equal(get(&m, path), 404);
	snprintf(path, sizeof(path), "/admin/affiliates/%lld", (long long)baff);
	assert_int_equal(get(&m, path), 404);
	assert_int_equal(get(&m, "/admin/affiliates"), 200);
	assert_false(has(&m, "Bobby"));
	snprintf(path, sizeof(path), "/admin/affiliates/%lld/status",
		 (long long)baff);
	assert_int_equal(post_form(&m, path, "action=approve"), 404);
	assert_int_equal(count_rows("SELECT count(*) FROM affiliates WHERE "
				    "email = 'bobby@example.com' AND status "
				    "= 'pending'"),
			 1);
	/* A used link does not sign in again. */
	reply_release(&b.r);
	browser_init(&b);
	assert_int_equal(get(&b, "/admin/signin?token=link-a-2"), 410);
	reply_release(&m.r);
	reply_release(&b.r);
}

static void test_affiliate_scope(void **state)
{
	struct browser a;

	(void)state;
	browser_init(&a);
	sign_up(&a, SHOP_A, "Scoped", "scoped%40example.com");
	assert_int_equal(get(&a, "/a/" SHOP_A "/"), 200);
	assert_int_equal(get(&a, "/a/" SHOP_B "/"), 303);
	assert_int_equal(get(&a, "/a/no-such-shop.example/"), 404);
	assert_int_equal(get(&a, "/admin"), 401);
	reply_release(&a.r);
}

static void code_of(const struct browser *b, char out[32])
{
	const char *p = strstr(buf_str(&b->r.body), "/r/");

	assert_non_null(p);
	snprintf(out, 32, "%.*s", (int)strcspn(p + 3, "\"?"), p + 3);
}

static void test_clicks(void **state)
{
	struct browser a, s;
	char code[32], path[96], loc[512], want[256], cookie[256];
	int64_t before;

	(void)state;
	browser_init(&a);
	sign_up(&a, SHOP_A, "Clicker", "clicker%40example.com");
	assert_int_equal(get(&a, "/a/" SHOP_A "/"), 200);
	code_of(&a, code);
	browser_init(&s);
	before = count_rows("SELECT count(*) FROM clicks");
	snprintf(path, sizeof(path), "/r/%s?via=x", code);
	assert_int_equal(request(&s, "GET", path, NULL,
				 "User-Agent: Mozilla/5.0 (Phone)"),
			 302);
	snprintf(want, sizeof(want),
		 "https://" SHOP_A "/pages/hi?x=1&ref=%s&affiliated_click=",
		 code);
	assert_non_null(reply_header(&s.r, "Location", loc, sizeof(loc)));
	assert_true(strncmp(loc, want, strlen(want)) == 0);
	assert_non_null(strstr(loc, "#top"));
	assert_non_null(
		reply_header(&s.r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_non_null(strstr(cookie, "aff_ref="));
	assert_non_null(strstr(cookie, "Max-Age=2592000"));
	assert_int_equal(
		count_settled("SELECT count(*) FROM clicks", before + 1),
		before + 1);
	assert_int_equal(count_rows("SELECT count(*) FROM clicks WHERE "
				    "network = 'x' AND user_agent = "
				    "'Mozilla/5.0 (Phone)' AND ip_hash != "
				    "'127.0.0.1' AND length(ip_hash) = 32"),
			 1);
	snprintf(path, sizeof(path), "/r/%s", code);
	assert_int_equal(request(&s, "GET", path, NULL,
				 "Referer: https://l.facebook.com/l.php"),
			 302);
	assert_int_equal(count_settled("SELECT count(*) FROM clicks WHERE "
				       "network = 'facebook'",
				       1),
			 1);
	assert_int_equal(request(&s, "HEAD", path, NULL, NULL), 302);
	assert_int_equal(request(&s, "GET", path, NULL,
				 "User-Agent: facebookexternalhit/1.1"),
			 302);
	assert_int_equal(request(&s, "GET", path, NULL,
				 "User-Agent: Slackbot-LinkExpanding 1.0"),
			 302);
	assert_int_equal(count_later("SELECT count(*) FROM clicks"),
			 before + 2);
	/* Two shops: no single home page to send an unknown code to. */
	assert_int_equal(get(&s, "/r/NO-SUCH-CODE"), 404);
	assert_int_equal(get(&s, "/r/%3Cscript%3E"), 404);
	assert_false(has(&s, "<script>"));
	assert_int_equal(count_later("SELECT count(*) FROM clicks"),
			 before + 2);
	assert_int_equal(get(&a, "/a/" SHOP_A "/"), 200);
	assert_true(has(&a, "<strong>2</strong>"));
	reply_release(&a.r);
	reply_release(&s.r);
}

static void test_escaping(void **state)
{
	struct browser a;

	(void)state;
	browser_init(&a);
	sign_up(&a, SHOP_A,
		"%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22Q%22%2C+%3Dcmd",
		"hostile%40example.com");
	assert_int_equal(get(&a, "/a/" SHOP_A "/"), 200);
	assert_false(has(&a, "<script>alert"));
	assert_true(has(&a, "&lt;script&gt;alert(1)&lt;/script&gt; "
			    "&quot;Q&quot;, =cmd"));
	assert_true(has(&a, "Sally &lt;script&gt;"));
	reply_release(&a.r);
}

static void test_merchant_csv(void **state)
{
	struct browser m;
	char type[64], disp[128];

	(void)state;
	browser_init(&m);
	merchant_signin(&m, "link-a-3");
	assert_int_equal(get(&m, "/admin/affiliates?format=csv"), 200);
	assert_string_equal(
		reply_header(&m.r, "Content-Type", type, sizeof(type)),
		"text/csv; charset=utf-8");
	assert_non_null(
		reply_header(&m.r, "Content-Disposition", disp, sizeof(disp)));
	assert_true(has(&m, "Name,Email,Code,Status,Clicks,Orders,Sales,"
			    "Commissions\r\n"));
	assert_true(has(&m, "\"<script>alert(1)</script> \"\"Q\"\", =cmd\","
			    "hostile@example.com,"));
	assert_int_equal(get(&m, "/admin/reports?table=networks&format=csv"),
			 200);
	assert_true(has(&m, "Network,Clicks,Orders,Conversion,Sales,"
			    "Average order,Commissions\r\n"));
	assert_true(has(&m, "x,1,0,0.0%,0.00,0.00,0.00\r\n"));
	assert_int_equal(get(&m, "/admin/reports"), 200);
	assert_true(has(&m, "<svg viewBox"));
	assert_true(has(&m, "<title id=\"sales-t\">Sales per day</title>"));
	reply_release(&m.r);
}

static void test_rate_limit(void **state)
{
	struct browser b;
	int i;
	long st = 0;

	(void)state;
	browser_init(&b);
	assert_int_equal(get(&b, "/a/" SHOP_A "/login"), 200);
	for (i = 0; i < 12; i++) {
		st = post_form(&b, "/a/" SHOP_A "/login",
			       "email=victim%%40example.com&password=guess+"
			       "number+%d",
			       i);
		if (st == 429)
			break;
		assert_int_equal(st, 401);
	}
	assert_int_equal(st, 429);
	assert_int_equal(i, 10);
	assert_true(has(&b, "Too many attempts"));
	reply_release(&b.r);
}

/* Runs last: restarts the daemon two hours later. */
static void test_expired_session(void **state)
{
	struct browser a, m;

	(void)state;
	browser_init(&a);
	browser_init(&m);
	sign_up(&a, SHOP_A, "Later", "later%40example.com");
	merchant_signin(&m, "link-b-1");
	assert_int_equal(get(&a, "/a/" SHOP_A "/"), 200);
	assert_int_equal(get(&m, "/admin/programs"), 200);
	daemon_stop(&d);
	/* The harness finds the port in the log: start a fresh one. */
	assert_int_equal(unlink(d.log), 0);
	setenv("AFFILIATED_TIME_OFFSET", "7200", 1);
	daemon_spawn(&d);
	unsetenv("AFFILIATED_TIME_OFFSET");
	assert_int_equal(get(&a, "/a/" SHOP_A "/"), 303);
	assert_int_equal(get(&m, "/admin/programs"), 401);
	assert_true(has(&m, "Please sign in"));
	reply_release(&a.r);
	reply_release(&m.r);
}

/*
 * `affiliated admin-link` while the daemon runs (the last test: it is a
 * write from another process): the printed URL signs in once. Skipped
 * while the command is not in the command table.
 */
static void test_admin_link_cli(void **state)
{
	const char *args[] = {"admin-link", "--shop", SHOP_A, NULL};
	struct buf out, err;
	struct browser m;
	char prefix[160];
	const char *path;
	int rc;

	(void)state;
	buf_init(&out, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	/* The daemon runs two hours ahead since test_expired_session. */
	setenv("AFFILIATED_TIME_OFFSET", "7200", 1);
	rc = run_cli(&d, &out, &err, args);
	unsetenv("AFFILIATED_TIME_OFFSET");
	if (rc == 2 && strstr(buf_str(&err), "unknown command")) {
		buf_release(&out);
		buf_release(&err);
		skip();
	}
	assert_int_equal(rc, 0);
	/* The example public_url; the path is what matters here. */
	snprintf(prefix, sizeof(prefix), "/admin/signin?token=");
	path = strstr(buf_str(&out), prefix);
	assert_non_null(path);
	assert_int_equal(strlen(path), strlen(prefix) + 43 + 1);
	((char *)out.data)[out.len - 1] = '\0';
	browser_init(&m);
	assert_int_equal(get(&m, path), 200);
	assert_int_equal(post_form(&m, "/admin/signin", "token=%s",
				   path + strlen(prefix)),
			 303);
	assert_int_equal(get(&m, "/admin/programs"), 200);
	assert_int_equal(get(&m, path), 410);
	reply_release(&m.r);
	buf_release(&out);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signup_login_logout),
		cmocka_unit_test(test_bad_signups),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_merchant_scope),
		cmocka_unit_test(test_affiliate_scope),
		cmocka_unit_test(test_clicks),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_merchant_csv),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_expired_session),
		cmocka_unit_test(test_admin_link_cli),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
