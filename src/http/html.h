/*
 * The HTML writer of the pages. Everything that comes from a request or
 * the database is written through an escaping conversion; only format
 * strings (literals in the page code) and %r arguments are raw markup.
 * A page is built in memory and sent whole with the security headers
 * (Content-Security-Policy, nosniff, no-store, referrer policy).
 */
#ifndef AFFILIATED_HTML_H
#define AFFILIATED_HTML_H

#include "http/i18n.h"
#include "http/request.h"
#include "util/http_client.h" /* url_encode */
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Sets the Content-Security-Policy every page carries: who may show the
 * pages in a frame (frame-ancestors sources) and where scripts may come
 * from (script-src sources: the daemon, and the platforms' admin scripts
 * that pages in their frames load); styles and images only from the
 * daemon. Called once before the server starts; until then only 'self'.
 * -1 when the policy does not fit.
 */
int html_set_policy(const char *frame_ancestors, const char *script_sources);

struct page {
	struct buf out; /* the document so far */
	const struct i18n_lang *lang;
	bool failed; /* an append hit the cap: the page is not sent */
};

/* Appends &amp; &lt; &gt; &quot; &#39; escapes of s (NULL is ""). */
int html_escape(struct buf *out, const char *s) WARN_UNUSED_RESULT;

void page_init(struct page *p, const struct i18n_lang *lang);
void page_release(struct page *p);

/*
 * Appends markup. fmt is trusted; its conversions are
 *   %s  const char *, HTML-escaped (NULL writes nothing)
 *   %r  const char *, raw: trusted markup only
 *   %u  const char *, percent-encoded for a URL component, then escaped
 *   %d  int          %D  int64_t
 *   %t  enum msg, translated into the page's language and escaped
 *   %%  a percent sign
 */
void html(struct page *p, const char *fmt, ...);
/*
 * A translated message whose {1}, {2}, {3} are replaced by the escaped
 * strings given (NULL past the last one).
 */
void html_msg(struct page *p, enum msg m, const char *a1, const char *a2,
	      const char *a3);
/* The same, into a plain buffer (no escaping): titles, CSV, mail text. */
int msg_format(struct buf *out, const struct i18n_lang *lang, enum msg m,
	       const char *a1, const char *a2,
	       const char *a3) WARN_UNUSED_RESULT;

/*
 * <!doctype html> through <main>: lang on <html>, the title, the one
 * stylesheet and script. page_end closes the document.
 */
void page_begin(struct page *p, const char *title);
void page_end(struct page *p);
/*
 * Moves the page into resp with its status and the security headers;
 * a page that failed becomes a plain 500.
 */
void page_send(struct page *p, struct response *resp, int status);

/*
 * A small page with a title and one sentence, in the request's language:
 * 403 for a refused form, 404, 500...
 */
void page_error(const struct request *req, struct response *resp, int status,
		enum msg title, enum msg text);

/* A form field with its label, kept value and error message. */
struct field_view {
	const char *name;
	enum msg label;
	const char *type; /* "text", "email", "password", "url", ... */
	const char *value;
	enum msg error; /* MSG_NONE: none */
	const char *error_arg;
	enum msg hint; /* MSG_NONE: none */
	const char *autocomplete;
	const char *attrs; /* raw extra attributes, e.g. "inputmode=numeric" */
	bool required;
};
void html_field(struct page *p, const struct field_view *f);
/* The hidden CSRF field every form carries. */
void html_csrf(struct page *p, const char *token);

/*
 * A table of text cells, rendered as HTML or CSV. Each cell has the text
 * shown, optionally another value for CSV (plain numbers) and a link.
 */
struct table_cell {
	char *text;
	char *csv;  /* NULL: same as text */
	char *href; /* NULL: no link */
};

struct table {
	size_t ncols;
	const enum msg *heads; /* ncols headings */
	unsigned numeric;      /* bit i: column i holds numbers */
	struct table_cell *cells;
	size_t ncells;
};

void table_init(struct table *t, size_t ncols, const enum msg *heads,
		unsigned numeric);
void table_release(struct table *t);
/* Appends the next cell (copies). csv and href may be NULL. */
void table_cell(struct table *t, const char *text, const char *csv,
		const char *href);
size_t table_rows(const struct table *t);
/* Cells that show money ("$12.50", CSV "12.50"), a count, a date. */
void table_money(struct table *t, int64_t minor, const char *currency);
void table_int(struct table *t, int64_t v);
void table_date(struct table *t, int64_t when);
/* The table as <table> with a caption; "nothing yet" when empty. */
void table_html(struct page *p, const struct table *t, enum msg caption);
/*
 * The table as CSV (RFC 4180): CRLF rows, fields quoted when needed, and
 * text that a spreadsheet would run as a formula prefixed with '.
 */
int table_csv(struct buf *out, const struct table *t,
	      const struct i18n_lang *lang) WARN_UNUSED_RESULT;
/* Sends CSV as an attachment named filename. */
void csv_send(struct buf *csv, struct response *resp, const char *filename);

#endif
