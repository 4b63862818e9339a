#include "http/html.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AFFILIATED_VERSION
#define AFFILIATED_VERSION "0"
#endif

int html_escape(struct buf *out, const char *s)
{
	const char *run = s;

	if (!s)
		return 0;
	for (; *s; s++) {
		const char *rep;

		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		if (buf_append(out, run, (size_t)(s - run)) < 0 ||
		    buf_puts(out, rep) < 0)
			return -1;
		run = s + 1;
	}
	return buf_append(out, run, (size_t)(s - run));
}

void page_init(struct page *p, const struct i18n_lang *lang)
{
	buf_init(&p->out, BUF_MEDIUM);
	p->lang = lang ? lang : i18n_english();
	p->failed = false;
}

void page_release(struct page *p)
{
	buf_release(&p->out);
}

static void put(struct page *p, int rc)
{
	if (rc < 0)
		p->failed = true;
}

static void put_url(struct page *p, const char *s)
{
	struct buf enc;

	buf_init(&enc, BUF_MEDIUM);
	put(p, url_encode(&enc, s ? s : ""));
	put(p, html_escape(&p->out, buf_str(&enc)));
	buf_release(&enc);
}

/* One conversion of html(); returns 0, or -1 for an unknown one. */
static int convert(struct page *p, char c, va_list *ap)
{
	switch (c) {
	case 's':
		put(p, html_escape(&p->out, va_arg(*ap, const char *)));
		return 0;
	case 'r':
		put(p, buf_puts(&p->out, va_arg(*ap, const char *)));
		return 0;
	case 'u':
		put_url(p, va_arg(*ap, const char *));
		return 0;
	case 'd':
		put(p, buf_printf(&p->out, "%d", va_arg(*ap, int)));
		return 0;
	case 'D':
		put(p, buf_printf(&p->out, "%lld",
				  (long long)va_arg(*ap, int64_t)));
		return 0;
	case 't':
		put(p, html_escape(
			       &p->out,
			       i18n_text(p->lang, (enum msg)va_arg(*ap, int))));
		return 0;
	case '%':
		put(p, buf_putc(&p->out, '%'));
		return 0;
	}
	return -1;
}

void html(struct page *p, const char *fmt, ...)
{
	const char *run = fmt;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		put(p, buf_append(&p->out, run, (size_t)(fmt - run)));
		fmt++;
		if (convert(p, *fmt, &ap) < 0)
			BUG("unknown conversion in html()");
		run = fmt + 1;
	}
	put(p, buf_append(&p->out, run, (size_t)(fmt - run)));
	va_end(ap);
}

/* Writes text with {1}..{3} replaced; each argument through esc. */
static int expand(struct buf *out, const char *text, const char *const args[3],
		  int (*esc)(struct buf *, const char *))
{
	const char *run = text;

	for (; *text; text++) {
		if (text[0] != '{' || text[1] < '1' || text[1] > '3' ||
		    text[2] != '}')
			continue;
		if (buf_append(out, run, (size_t)(text - run)) < 0 ||
		    esc(out, args[text[1] - '1'] ? args[text[1] - '1'] : "") <
			    0)
			return -1;
		text += 2;
		run = text + 1;
	}
	return buf_append(out, run, (size_t)(text - run));
}

void html_msg(struct page *p, enum msg m, const char *a1, const char *a2,
	      const char *a3)
{
	const char *const args[3] = {a1, a2, a3};
	struct buf text;

	/* The message itself is trusted text but still needs escaping. */
	buf_init(&text, BUF_SMALL);
	put(p, expand(&text, i18n_text(p->lang, m), args, buf_puts));
	put(p, html_escape(&p->out, buf_str(&text)));
	buf_release(&text);
}

int msg_format(struct buf *out, const struct i18n_lang *lang, enum msg m,
	       const char *a1, const char *a2, const char *a3)
{
	const char *const args[3] = {a1, a2, a3};

	return expand(out, i18n_text(lang, m), args, buf_puts);
}

void page_begin(struct page *p, const char *title)
{
	html(p,
	     "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	     "<meta name=\"viewport\" content=\"width=device-width, "
	     "initial-scale=1\"><title>%s</title>"
	     "<link rel=\"stylesheet\" href=\"/assets/app.css?v=%s\">"
	     "<script src=\"/assets/app.js?v=%s\" defer></script>"
	     "</head>\n<body>",
	     p->lang->code, title, AFFILIATED_VERSION, AFFILIATED_VERSION);
}

void page_end(struct page *p)
{
	html(p, "</body></html>\n");
}

#define CSP_FIXED                                                      \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; " \
	"form-action 'self'; base-uri 'none'; object-src 'none'; "

/* Written once at start-up, before any thread that reads it exists. */
static char page_csp[4096] =
	CSP_FIXED "script-src 'self'; frame-ancestors 'self'";

int html_set_policy(const char *frame_ancestors, const char *script_sources)
{
	char csp[sizeof(page_csp)];
	int n = snprintf(csp, sizeof(csp),
			 CSP_FIXED "script-src %s; frame-ancestors %s",
			 script_sources, frame_ancestors);

	if (n < 0 || (size_t)n >= sizeof(csp))
		return -1;
	memcpy(page_csp, csp, (size_t)n + 1);
	return 0;
}

void page_send(struct page *p, struct response *resp, int status)
{
	if (p->failed) {
		response_text(resp, 500, "text/plain; charset=utf-8",
			      "page too large\n");
		return;
	}
	buf_release(&resp->body);
	resp->body = p->out;
	buf_init(&p->out, BUF_MEDIUM);
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	response_header(resp, "Content-Security-Policy", page_csp);
	response_header(resp, "X-Content-Type-Options", "nosniff");
	response_header(resp, "Referrer-Policy", "same-origin");
	response_header(resp, "Cache-Control", "no-store");
}

void page_error(const struct request *req, struct response *resp, int status,
		enum msg title, enum msg text)
{
	struct page p;

	page_init(&p, i18n_for_request(req));
	page_begin(&p, i18n_text(p.lang, title));
	html(&p,
	     "<main class=\"narrow\"><section class=\"card\"><h1>%t</h1>"
	     "<p>%t</p></section></main>",
	     title, text);
	page_end(&p);
	page_send(&p, resp, status);
	page_release(&p);
}

void html_field(struct page *p, const struct field_view *f)
{
	bool bad = f->error != MSG_NONE;

	html(p, "<div class=\"field%r\"><label for=\"f-%s\">%t</label>",
	     bad ? " has-error" : "", f->name, f->label);
	if (f->hint != MSG_NONE)
		html(p, "<p class=\"hint\" id=\"f-%s-hint\">%t</p>", f->name,
		     f->hint);
	html(p, "<input id=\"f-%s\" name=\"%s\" type=\"%s\" value=\"%s\"",
	     f->name, f->name, f->type, f->value ? f->value : "");
	if (f->required)
		html(p, " required");
	if (f->autocomplete)
		html(p, " autocomplete=\"%s\"", f->autocomplete);
	if (f->hint != MSG_NONE || bad)
		html(p, " aria-describedby=\"%r%s%r%r%s%r\"",
		     f->hint != MSG_NONE ? "f-" : "",
		     f->hint != MSG_NONE ? f->name : "",
		     f->hint != MSG_NONE ? "-hint" : "", bad ? " f-" : "",
		     bad ? f->name : "", bad ? "-err" : "");
	if (bad)
		html(p, " aria-invalid=\"true\"");
	html(p, "%r>", f->attrs ? f->attrs : "");
	if (bad) {
		html(p, "<p class=\"error\" id=\"f-%s-err\">", f->name);
		html_msg(p, f->error, f->error_arg, NULL, NULL);
		html(p, "</p>");
	}
	html(p, "</div>");
}

void html_csrf(struct page *p, const char *token)
{
	html(p, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", token);
}

void table_init(struct table *t, size_t ncols, const enum msg *heads,
		unsigned numeric)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->heads = heads;
	t->numeric = numeric;
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->ncells; i++) {
		free(t->cells[i].text);
		free(t->cells[i].csv);
		free(t->cells[i].href);
	}
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void table_cell(struct table *t, const char *text, const char *csv,
		const char *href)
{
	struct table_cell *c;

	t->cells = xrealloc(t->cells, (t->ncells + 1) * sizeof(*t->cells));
	c = &t->cells[t->ncells++];
	c->text = xstrdup(text ? text : "");
	c->csv = csv ? xstrdup(csv) : NULL;
	c->href = href ? xstrdup(href) : NULL;
}

size_t table_rows(const struct table *t)
{
	return t->ncols ? t->ncells / t->ncols : 0;
}

void table_money(struct table *t, int64_t minor, const char *currency)
{
	struct buf shown, plain;

	buf_init(&shown, 128);
	buf_init(&plain, 128);
	if (i18n_money(&shown, minor, currency) < 0 ||
	    money_format(&plain, minor,
			 money_exponent(currency) < 0
				 ? 2
				 : money_exponent(currency)) < 0)
		BUG("money text does not fit");
	table_cell(t, buf_str(&shown), buf_str(&plain), NULL);
	buf_release(&shown);
	buf_release(&plain);
}

void table_int(struct table *t, int64_t v)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	table_cell(t, text, NULL, NULL);
}

void table_date(struct table *t, int64_t when)
{
	char iso[21], shown[20];

	if (when <= 0) {
		table_cell(t, "", NULL, NULL);
		return;
	}
	format_iso8601(when, iso);
	snprintf(shown, sizeof(shown), "%.10s %.5s", iso, iso + 11);
	table_cell(t, shown, iso, NULL);
}

static const char *num_class(const struct table *t, size_t col)
{
	return t->numeric & (1u << col) ? " class=\"num\"" : "";
}

void table_html(struct page *p, const struct table *t, enum msg caption)
{
	size_t i, c;

	if (table_rows(t) == 0) {
		html(p, "<p class=\"empty\">%t</p>", MSG_NOTHING_YET);
		return;
	}
	html(p,
	     "<div class=\"table-wrap\"><table><caption>%t</caption>"
	     "<thead><tr>",
	     caption);
	for (c = 0; c < t->ncols; c++)
		html(p, "<th scope=\"col\"%r>%t</th>", num_class(t, c),
		     t->heads[c]);
	html(p, "</tr></thead><tbody>");
	for (i = 0; i + t->ncols <= t->ncells; i += t->ncols) {
		html(p, "<tr>");
		for (c = 0; c < t->ncols; c++) {
			const struct table_cell *cell = &t->cells[i + c];

			html(p, "<td%r>", num_class(t, c));
			if (cell->href)
				html(p, "<a href=\"%s\">%s</a>", cell->href,
				     cell->text);
			else
				html(p, "%s", cell->text);
			html(p, "</td>");
		}
		html(p, "</tr>");
	}
	html(p, "</tbody></table></div>");
}

static int csv_field(struct buf *out, const char *s, bool numeric)
{
	bool formula = !numeric && s[0] && strchr("=+-@\t\r", s[0]);
	bool quote = formula || strpbrk(s, ",\"\r\n") || s[0] == ' ' ||
		     (s[0] && s[strlen(s) - 1] == ' ');

	if (!quote)
		return buf_puts(out, s);
	if (buf_putc(out, '"') < 0 || (formula && buf_putc(out, '\'') < 0))
		return -1;
	for (; *s; s++)
		if ((*s == '"' && buf_putc(out, '"') < 0) ||
		    buf_putc(out, *s) < 0)
			return -1;
	return buf_putc(out, '"');
}

int table_csv(struct buf *out, const struct table *t,
	      const struct i18n_lang *lang)
{
	size_t i, c;

	for (c = 0; c < t->ncols; c++)
		if ((c && buf_putc(out, ',') < 0) ||
		    csv_field(out, i18n_text(lang, t->heads[c]), false) < 0)
			return -1;
	if (buf_puts(out, "\r\n") < 0)
		return -1;
	for (i = 0; i + t->ncols <= t->ncells; i += t->ncols) {
		for (c = 0; c < t->ncols; c++) {
			const struct table_cell *cell = &t->cells[i + c];

			if ((c && buf_putc(out, ',') < 0) ||
			    csv_field(out, cell->csv ? cell->csv : cell->text,
				      t->numeric & (1u << c)) < 0)
				return -1;
		}
		if (buf_puts(out, "\r\n") < 0)
			return -1;
	}
	return 0;
}

void csv_send(struct buf *csv, struct response *resp, const char *filename)
{
	char disp[160];

	buf_release(&resp->body);
	resp->body = *csv;
	buf_init(csv, BUF_LARGE);
	resp->status = 200;
	resp->content_type = "text/csv; charset=utf-8";
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	response_header(resp, "Content-Disposition", disp);
	response_header(resp, "X-Content-Type-Options", "nosniff");
	response_header(resp, "Cache-Control", "no-store");
}
