#include "util/mailer.h"
#include "util/crypto.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct reader {
	const char *data;
	size_t len, pos;
};

static size_t read_message(char *p, size_t size, size_t n, void *ctx)
{
	struct reader *r = ctx;
	size_t room = size * n, left = r->len - r->pos;

	if (left < room)
		room = left;
	memcpy(p, r->data + r->pos, room);
	r->pos += room;
	return room;
}

static int header_safe(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

static int compose(const struct mailer *m, const char *to, const char *subject,
		   const char *body, struct buf *msg)
{
	char date[64], id[40];
	struct buf token;
	time_t now = time(NULL);
	struct tm tm;
	const char *p;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_init(&token, 64);
	if (crypto_token_hex(&token, 12) < 0)
		return -1;
	snprintf(id, sizeof(id), "%s", buf_str(&token));
	buf_release(&token);
	if (buf_printf(msg,
		       "Date: %s\r\nTo: <%s>\r\nFrom: <%s>\r\n"
		       "Message-ID: <%s@affiliated>\r\nSubject: %s\r\n"
		       "MIME-Version: 1.0\r\n"
		       "Content-Type: text/plain; charset=utf-8\r\n"
		       "Content-Transfer-Encoding: 8bit\r\n\r\n",
		       date, to, m->from, id, subject) < 0)
		return -1;
	/* Bare LF becomes CRLF; a line with a lone dot is escaped. */
	for (p = body; *p; p++) {
		if ((p == body || p[-1] == '\n') && *p == '.' &&
		    buf_putc(msg, '.') < 0)
			return -1;
		if (*p == '\n' && (p == body || p[-1] != '\r') &&
		    buf_putc(msg, '\r') < 0)
			return -1;
		if (buf_putc(msg, *p) < 0)
			return -1;
	}
	return buf_puts(msg, "\r\n");
}

/* libcurl calls this at least once a second, also while connecting. */
static int check_abort(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	atomic_bool *stop = ctx;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stop && atomic_load(stop);
}

/*
 * A 5xx reply refuses this message for good (unknown mailbox, policy),
 * except a refused login: that is our configuration, fixed by the
 * operator, after which the message should still go out.
 */
static enum mail_result classify(CURLcode rc, long reply)
{
	if (rc == CURLE_OK)
		return MAIL_SENT;
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return MAIL_ABORTED;
	if (reply >= 500 && reply < 600 && rc != CURLE_LOGIN_DENIED)
		return MAIL_REFUSED;
	return MAIL_RETRY;
}

enum mail_result mailer_send(const struct mailer *m, const char *to,
			     const char *subject, const char *body,
			     struct buf *err)
{
	struct curl_slist *rcpt = NULL;
	struct reader r;
	struct buf msg;
	char from[320], addr[320];
	long reply = 0;
	CURL *c;
	CURLcode rc;
	enum mail_result res;

	if (!header_safe(to) || !header_safe(subject) ||
	    !header_safe(m->from)) {
		errorf(err, "line breaks in an address or the subject");
		return MAIL_REFUSED;
	}
	buf_init(&msg, BUF_MEDIUM);
	if (compose(m, to, subject, body, &msg) < 0) {
		buf_release(&msg);
		errorf(err, "message too large");
		return MAIL_REFUSED;
	}
	c = curl_easy_init();
	if (!c) {
		buf_release(&msg);
		errorf(err, "curl unavailable");
		return MAIL_RETRY;
	}
	snprintf(from, sizeof(from), "<%s>", m->from);
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(rcpt, addr);
	r.data = msg.data;
	r.len = msg.len;
	r.pos = 0;
	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, m->timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_abort);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, m->stop);
	if (m->username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	res = classify(rc, reply);
	if (res != MAIL_SENT && reply)
		errorf(err, "SMTP: %s (server replied %ld)",
		       curl_easy_strerror(rc), reply);
	else if (res != MAIL_SENT)
		errorf(err, "SMTP: %s", curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	buf_release(&msg);
	return res;
}
