#include "http/i18n.h"
#include "http/request.h"
#include "util/money.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct i18n_lang lang_en = {"en", "English", i18n_msgs_en};
static const struct i18n_lang lang_nb = {"nb", "Norsk bokm\u00e5l",
					 i18n_msgs_nb};
static const struct i18n_lang lang_id = {"id", "Bahasa Indonesia",
					 i18n_msgs_id};
static const struct i18n_lang lang_ko = {"ko", "\ud55c\uad6d\uc5b4",
					 i18n_msgs_ko};
static const struct i18n_lang lang_zh = {"zh", "\u4e2d\u6587", i18n_msgs_zh};

const struct i18n_lang *const i18n_langs[] = {
	&lang_en, &lang_nb, &lang_id, &lang_ko, &lang_zh, NULL,
};

/* Codes read as another: Norwegian in general and Nynorsk as Bokmål. */
static const struct {
	const char *alias;
	const char *code;
} aliases[] = {{"no", "nb"}, {"nn", "nb"}, {"in", "id"}};

const struct i18n_lang *i18n_english(void)
{
	return &lang_en;
}

/* The language of a tag's primary subtag (len bytes), or NULL. */
static const struct i18n_lang *find_n(const char *tag, size_t len)
{
	const struct i18n_lang *const *l;
	size_t primary = strcspn(tag, "-_"), i;

	if (primary > len)
		primary = len;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].alias) == primary &&
		    strncasecmp(tag, aliases[i].alias, primary) == 0)
			return find_n(aliases[i].code, strlen(aliases[i].code));
	for (l = i18n_langs; *l; l++)
		if (strlen((*l)->code) == primary &&
		    strncasecmp(tag, (*l)->code, primary) == 0)
			return *l;
	return NULL;
}

const struct i18n_lang *i18n_find(const char *code)
{
	return code ? find_n(code, strlen(code)) : NULL;
}

/* q=0.8 as thousandths; 1000 when absent, -1 when malformed. */
static int qvalue(const char *p, size_t len)
{
	int q = 0, scale = 100;
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == ';'))
		i++;
	if (i == len)
		return 1000;
	if (len - i < 3 || (p[i] != 'q' && p[i] != 'Q') || p[i + 1] != '=')
		return -1;
	i += 2;
	if (p[i] != '0' && p[i] != '1')
		return -1;
	q = (p[i++] - '0') * 1000;
	if (i < len && p[i] == '.')
		for (i++; i < len && p[i] >= '0' && p[i] <= '9' && scale;
		     i++, scale /= 10)
			q += (p[i] - '0') * scale;
	return q > 1000 ? 1000 : q;
}

const struct i18n_lang *i18n_negotiate(const char *header)
{
	const struct i18n_lang *best = NULL, *l;
	int best_q = 0, q;
	size_t len, tag;

	while (header && *header) {
		while (*header == ' ' || *header == ',')
			header++;
		len = strcspn(header, ",");
		tag = strcspn(header, ";, ");
		if (tag > len)
			tag = len;
		l = find_n(header, tag);
		q = qvalue(header + tag, len - tag);
		if (l && q > best_q) {
			best = l;
			best_q = q;
		}
		header += len;
	}
	return best ? best : &lang_en;
}

const struct i18n_lang *i18n_for_request(const struct request *req)
{
	const struct i18n_lang *l = i18n_find(request_query(req, "lang"));

	if (!l)
		l = i18n_find(request_cookie(req, COOKIE_LANG));
	if (!l)
		l = i18n_negotiate(request_header(req, "Accept-Language"));
	return l;
}

const char *i18n_text(const struct i18n_lang *lang, enum msg m)
{
	if ((unsigned)m >= MSG__COUNT)
		return "";
	if (lang && lang->msgs[m])
		return lang->msgs[m];
	return i18n_msgs_en[m] ? i18n_msgs_en[m] : "";
}

/* How a currency is written; amounts use its ISO 4217 exponent. */
struct money_style {
	char code[4];
	const char *symbol;
	bool after; /* "12,50 kr" rather than "$12.50" */
	char decimal;
	const char *group;
};

static const struct money_style styles[] = {
	{"AUD", "A$", false, '.', ","},
	{"BRL", "R$", false, ',', "."},
	{"CAD", "CA$", false, '.', ","},
	{"CHF", "CHF\u00a0", false, '.', "'"},
	{"CNY", "CN\u00a5", false, '.', ","},
	{"DKK", "\u00a0kr.", true, ',', "."},
	{"EUR", "\u20ac", false, '.', ","},
	{"GBP", "\u00a3", false, '.', ","},
	{"HKD", "HK$", false, '.', ","},
	{"IDR", "Rp\u00a0", false, ',', "."},
	{"INR", "\u20b9", false, '.', ","},
	{"JPY", "\u00a5", false, '.', ","},
	{"KRW", "\u20a9", false, '.', ","},
	{"NOK", "\u00a0kr", true, ',', "\u00a0"},
	{"NZD", "NZ$", false, '.', ","},
	{"SEK", "\u00a0kr", true, ',', "\u00a0"},
	{"SGD", "S$", false, '.', ","},
	{"TWD", "NT$", false, '.', ","},
	{"USD", "$", false, '.', ","},
};

static const struct money_style *style_of(const char *currency)
{
	size_t i;

	for (i = 0; currency && i < sizeof(styles) / sizeof(styles[0]); i++)
		if (strcmp(styles[i].code, currency) == 0)
			return &styles[i];
	return NULL;
}

/* Appends the digits of v (>= 0) with a separator every three. */
static int grouped(struct buf *out, uint64_t v, const char *group)
{
	char digits[24];
	int n = 0, i;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = n - 1; i >= 0; i--) {
		if (buf_putc(out, digits[i]) < 0)
			return -1;
		if (i && i % 3 == 0 && buf_puts(out, group) < 0)
			return -1;
	}
	return 0;
}

int i18n_money(struct buf *out, int64_t minor, const char *currency)
{
	const struct money_style *st = style_of(currency);
	int exponent = money_exponent(currency), i;
	uint64_t abs, unit = 1;

	if (exponent < 0)
		exponent = 2;
	for (i = 0; i < exponent; i++)
		unit *= 10;
	abs = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	if ((minor < 0 && buf_putc(out, '-') < 0) ||
	    (st && !st->after && buf_puts(out, st->symbol) < 0) ||
	    grouped(out, abs / unit, st ? st->group : ",") < 0)
		return -1;
	if (exponent > 0 &&
	    buf_printf(out, "%c%0*llu", st ? st->decimal : '.', exponent,
		       (unsigned long long)(abs % unit)) < 0)
		return -1;
	if (st && st->after)
		return buf_puts(out, st->symbol);
	if (!st)
		return buf_printf(out, " %s", currency ? currency : "");
	return 0;
}
