/*
 * GET /r/<code>: a shopper followed an affiliate's link. The click is
 * queued (click_queue.h: written within 50 ms, not awaited) with its
 * network, from ?via= or the Referer's
 * host, the pseudonymised address and the user agent; a first-party
 * cookie remembers the code for the program's window; the answer is a
 * 302 to the program's landing page with ref=<code> and
 * affiliated_click=<id> added, which the storefront carries into the
 * order. HEAD requests and obvious bots are redirected but not counted.
 * Nor are repeats: more clicks from one address on one code within
 * [clicks] window get the first one's id, and an address past [clicks]
 * per_address_per_minute is redirected uncounted (without a click id).
 *
 * The landing page comes only from the program (checked when it was
 * saved), never from the request: no open redirect. A code nobody has
 * answers a small 404 page rather than a redirect, since without an
 * affiliate there is no shop to send the visitor to. A known code whose
 * affiliate or program is not active redirects without counting and
 * without ref.
 */
#include "runtime/app.h"
#include "http/program_form.h"
#include "http/click.h"
#include "runtime/click_queue.h"
#include "config.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/seal.h"
#include "store/store.h"
#include "store/store_programs.h"
#include "store/store_reports.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/parse.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { USER_AGENT_MAX = 255, CODE_MAX = 63 };

/* Substrings of user agents that are link previews and crawlers. */
static const char *const bot_marks[] = {
	"bot",
	"crawl",
	"spider",
	"slurp",
	"facebookexternalhit",
	"facebookcatalog",
	"preview",
	"embedly",
	"whatsapp",
	"telegram",
	"pinterest",
	"vkshare",
	"mediapartners",
	"validator",
	"monitor",
	"lighthouse",
	"python-requests",
	"wget/",
	"go-http-client",
};

static bool icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

bool click_is_bot(const char *user_agent)
{
	size_t i;

	if (!user_agent)
		return false;
	for (i = 0; i < sizeof(bot_marks) / sizeof(bot_marks[0]); i++)
		if (icontains(user_agent, bot_marks[i]))
			return true;
	return false;
}

/* Whether host is domain or a subdomain of it. */
static bool host_is(const char *host, size_t len, const char *domain)
{
	size_t d = strlen(domain);

	if (len < d || strncasecmp(host + len - d, domain, d) != 0)
		return false;
	return len == d || host[len - d - 1] == '.';
}

static const char *network_of_host(const char *host, size_t len)
{
	static const struct {
		const char *domain;
		const char *network;
	} hosts[] = {
		{"facebook.com", "facebook"},
		{"fb.com", "facebook"},
		{"fb.me", "facebook"},
		{"messenger.com", "facebook"},
		{"twitter.com", "x"},
		{"x.com", "x"},
		{"t.co", "x"},
		{"linkedin.com", "linkedin"},
		{"lnkd.in", "linkedin"},
		{"mail.google.com", "email"},
		{"outlook.live.com", "email"},
		{"mail.yahoo.com", "email"},
		{"outlook.office.com", "email"},
	};
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (host_is(host, len, hosts[i].domain))
			return hosts[i].network;
	return "other";
}

const char *click_network(const char *via, const char *referer)
{
	static const char *const known[] = {"facebook", "x", "linkedin",
					    "email"};
	const char *host;
	size_t i;

	if (via && via[0]) {
		if (strcasecmp(via, "twitter") == 0)
			return "x";
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcasecmp(via, known[i]) == 0)
				return known[i];
		return "other";
	}
	if (!referer || !referer[0])
		return "direct";
	host = strstr(referer, "://");
	if (!host)
		return "other";
	host += 3;
	return network_of_host(host, strcspn(host, "/:?#"));
}

/*
 * The landing URL with ref (and the click id when counted) added before
 * any fragment.
 */
static int landing_with_ref(struct buf *out, const char *landing,
			    const char *code, int64_t click_id)
{
	size_t base = strcspn(landing, "#");
	const char *sep = memchr(landing, '?', base) ? "&" : "?";

	if (base && landing[base - 1] == '?')
		sep = "";
	if (buf_append(out, landing, base) < 0 ||
	    buf_printf(out, "%sref=", sep) < 0 || url_encode(out, code) < 0 ||
	    (click_id && buf_printf(out, "&affiliated_click=%lld",
				    (long long)click_id) < 0) ||
	    buf_puts(out, landing + base) < 0)
		return -1;
	return 0;
}

/*
 * Clicks counted per address in the current minute, in memory: a small
 * table of pseudonyms, where two addresses sharing a slot share a count
 * (stricter, never looser). Its only state is this one-minute tally.
 */
enum { RATE_SLOTS = 4096 };

static struct {
	pthread_mutex_t lock;
	struct {
		char key[65];
		int64_t minute;
		int64_t count;
	} slot[RATE_SLOTS];
} rate = {PTHREAD_MUTEX_INITIALIZER, {{"", 0, 0}}};

static bool over_rate(const char *ip_hash, int64_t now, int64_t limit)
{
	uint32_t h = 2166136261u;
	const char *c;
	bool over;

	if (limit <= 0)
		return false;
	for (c = ip_hash; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	pthread_mutex_lock(&rate.lock);
	h %= RATE_SLOTS;
	if (rate.slot[h].minute != now / 60 ||
	    strcmp(rate.slot[h].key, ip_hash) != 0) {
		snprintf(rate.slot[h].key, sizeof(rate.slot[h].key), "%s",
			 ip_hash);
		rate.slot[h].minute = now / 60;
		rate.slot[h].count = 0;
	}
	over = ++rate.slot[h].count > limit;
	pthread_mutex_unlock(&rate.lock);
	return over;
}

/*
 * Queued, not written: the id comes from memory and the row follows
 * within a commit window (click_queue.h). Repeats within [clicks]
 * window get the visit's first id, decided in memory too.
 */
static void record_click(struct app *app, const struct request *req,
			 const struct click_target *t, int64_t *id)
{
	const char *ua = request_header(req, "User-Agent");
	char agent[USER_AGENT_MAX + 1];
	struct click c;

	memset(&c, 0, sizeof(c));
	c.shop_id = t->shop_id;
	c.affiliate_id = t->affiliate_id;
	c.program_id = t->program_id;
	snprintf(c.network, sizeof(c.network), "%s",
		 click_network(request_query(req, "via"),
			       request_header(req, "Referer")));
	seal_pseudonym(req->remote_ip, c.ip_hash);
	snprintf(agent, sizeof(agent), "%s", ua ? ua : "");
	c.user_agent = text_is_clean(agent, false) ? agent : "";
	c.created_at = clock_now();
	*id = 0;
	if (over_rate(c.ip_hash, c.created_at,
		      config_int(app->cfg, CFG_CLICKS_PER_ADDRESS))) {
		log_debug("click.limited", "address=%s", c.ip_hash);
		return;
	}
	if (click_queue_add(app->clicks, &c, id) == CLICK_DROPPED)
		log_warn("click.dropped", "reason=%s", "queue_full");
}

/*
 * From the table in memory; a code it does not hold yet (an affiliate
 * made since the last reload) or at all is looked up in the store.
 */
static int find_target(struct app *app, const char *code,
		       struct click_target *t, struct buf *err)
{
	struct store_tx *tx;
	int rc;

	if (strlen(code) > CODE_MAX)
		return 0;
	if (click_codes_find(click_queue_codes(app->clicks), code, t))
		return 1;
	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_click_target(tx, code, t, err);
	store_tx_rollback(tx);
	return rc;
}

struct only_shop {
	int active;
	char home[512];
};

static int note_active_shop(void *ctx, const struct shop *s)
{
	struct only_shop *o = ctx;

	if (strcmp(s->status, "active") != 0)
		return 0;
	if (++o->active == 1)
		landing_default(s, o->home, sizeof(o->home));
	return o->active > 1; /* a second one: no single home page */
}

/*
 * Where a link with an unknown code goes: the home page of the shop when
 * the daemon serves exactly one, as links carry no shop of their own.
 * 1 with home filled, 0 when there is no single shop, -1.
 */
static int single_shop_home(struct app *app, char *home, size_t n,
			    struct buf *err)
{
	struct only_shop o = {0, ""};
	struct store_tx *tx;
	int rc;

	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_shop_each(tx, note_active_shop, &o, err);
	store_tx_rollback(tx);
	if (rc < 0)
		return -1;
	if (o.active != 1 || !o.home[0])
		return 0;
	snprintf(home, n, "%s", o.home);
	return 1;
}

static void remember_code(struct app *app, struct response *resp,
			  const struct click_target *t)
{
	struct buf cookie, value;

	buf_init(&cookie, BUF_SMALL);
	buf_init(&value, 256);
	/* A shared link is followed at the top level, never in a frame. */
	if (url_encode(&value, t->code) == 0 &&
	    cookie_format(&cookie, "aff_ref", buf_str(&value),
			  t->window_days * 86400, cookie_scope(app, NULL)) == 0)
		response_header(resp, "Set-Cookie", buf_str(&cookie));
	buf_release(&cookie);
	buf_release(&value);
}

static bool counts(const struct request *req, const struct click_target *t)
{
	return t->counted && strcmp(req->method, "GET") == 0 &&
	       !click_is_bot(request_header(req, "User-Agent"));
}

static struct metric *counted, *skipped;
static pthread_once_t metrics_once = PTHREAD_ONCE_INIT;

static void click_metrics(void)
{
	counted = metrics_counter("affiliated_clicks_total",
				  "tracking-link clicks recorded", "");
	skipped = metrics_counter("affiliated_clicks_skipped_total",
				  "tracking-link visits redirected without "
				  "counting (HEAD, bots, inactive)",
				  "");
}

void page_click(struct app *app, struct request *req, struct response *resp)
{
	struct click_target t;
	struct buf err, where;
	char home[512];
	int64_t id = 0;
	int rc;

	pthread_once(&metrics_once, click_metrics);
	buf_init(&err, BUF_SMALL);
	buf_init(&where, BUF_SMALL);
	rc = find_target(app, request_param(req, 0), &t, &err);
	if (rc == 1 && counts(req, &t))
		record_click(app, req, &t, &id);
	if (rc == 0 &&
	    (rc = single_shop_home(app, home, sizeof(home), &err)) == 1) {
		/* Unknown code: to the shop anyway, uncounted. */
		metrics_inc(skipped);
		response_redirect(resp, 302, home);
		response_header(resp, "Cache-Control", "no-store");
		response_header(resp, "Referrer-Policy", "no-referrer");
	} else if (rc < 0) {
		page_fail(req, resp, "click", &err);
	} else if (rc == 0) {
		page_error(req, resp, 404, MSG_LINK_UNKNOWN_TITLE,
			   MSG_LINK_UNKNOWN_TEXT);
	} else {
		metrics_inc(id ? counted : skipped);
		if (!text_is_clean(t.landing_url, false))
			t.landing_url[0] = '\0';
		if (!t.landing_url[0]) {
			landing_default(&(struct shop){.platform = t.platform,
						       .domain = t.domain},
					home, sizeof(home));
			snprintf(t.landing_url, sizeof(t.landing_url), "%s",
				 home);
		}
		if (t.counted)
			remember_code(app, resp, &t);
		if (!t.landing_url[0] ||
		    (t.counted ? landing_with_ref(&where, t.landing_url, t.code,
						  id)
			       : buf_puts(&where, t.landing_url)) < 0)
			page_error(req, resp, 404, MSG_LINK_UNKNOWN_TITLE,
				   MSG_LINK_UNKNOWN_TEXT);
		else
			response_redirect(resp, 302, buf_str(&where));
		response_header(resp, "Cache-Control", "no-store");
		response_header(resp, "Referrer-Policy", "no-referrer");
	}
	buf_release(&where);
	buf_release(&err);
}
