/*
 * Mutation test of the providers' parsers: every JSON fixture of each
 * platform (and every line of the neutral simulate file), damaged at random
 * (bytes changed, spans cut or repeated, odd JSON values spliced in, the text
 * cut short), goes through each parser a delivery can reach (and Shopify's
 * GraphQL answers through the GraphQL order and refund parsers). Whatever the
 * damage, a parser answers 0 with a usable result or -1 with a reason, and
 * under the sanitizers touches no memory it should not. Signed deliveries are
 * trusted to come from the platform, not to be well formed.
 *
 * Seeds: a master seed (printed; AFFILIATED_SEED=N replays it);
 * AFFILIATED_MUTATIONS=N changes the mutations per fixture (default 150).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model/order.h"
#include "parser_checks.h"
#include "providers/provider_int.h"
#include "util/buf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

static const char *const splices[] = {
	"null",	       "[]",	      "{}",
	"\"\"",	       "-1",	      "0",
	"1e999",       "-0.000001",   "99999999999999999999999",
	"\"\\u0000\"", "\"\\ud800\"", "true",
	"1.005",       ",",	      ":",
	"\"",	       "{\"a\":",     "]]]]",
};

/* One random change to b, which keeps its NUL terminator. */
static void mutate(struct buf *b)
{
	size_t at = below(b->len + 1), n;
	struct buf out;
	const char *s;

	buf_init(&out, b->len * 2 + 256);
	switch (below(5)) {
	case 0: /* a byte changed */
		if (b->len)
			b->data[below(b->len)] = (char)(rng() & 0xff);
		buf_release(&out);
		return;
	case 1: /* a span cut out */
		n = below(b->len - at + 1);
		if (buf_append(&out, b->data, at) < 0 ||
		    buf_append(&out, b->data + at + n, b->len - at - n) < 0)
			fail();
		break;
	case 2: /* a span repeated */
		n = below(b->len - at + 1) % 64;
		if (buf_append(&out, b->data, at + n) < 0 ||
		    buf_append(&out, b->data + at, b->len - at) < 0)
			fail();
		break;
	case 3: /* an odd value spliced in */
		s = splices[below(sizeof(splices) / sizeof(splices[0]))];
		if (buf_append(&out, b->data, at) < 0 ||
		    buf_puts(&out, s) < 0 ||
		    buf_append(&out, b->data + at, b->len - at) < 0)
			fail();
		break;
	default: /* cut short */
		if (buf_append(&out, b->data, at) < 0)
			fail();
		break;
	}
	buf_reset(b);
	if (buf_append(b, out.data ? out.data : "", out.len) < 0)
		fail();
	buf_release(&out);
}

/* Fails the test, naming the parser's broken promise and the seed. */
static void run_parsers(const struct provider *p, const struct buf *in)
{
	const char *broken;

	if (p && check_provider_parsers(p, in->data, in->len, &broken) < 0)
		fail_msg("%s: %s", p->name, broken);
	if (!p && check_shopify_graphql(in->data, in->len, &broken) < 0)
		fail_msg("shopify graphql: %s", broken);
}

static int env_int(const char *name, int fallback)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : fallback;
}

static void read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(out, chunk, n) < 0)
			fail();
	fclose(f);
}

/* p NULL: the fixtures are Shopify's GraphQL answers. */
static void mutate_fixtures(const struct provider *p, const char *dirname)
{
	const char *src = getenv("AFFILIATED_SOURCE_DIR");
	int per_file = env_int("AFFILIATED_MUTATIONS", 150), i, k, files = 0;
	char dir[512], path[1024];
	struct dirent *e;
	struct buf original, work;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/%s", src ? src : ".",
		 dirname);
	d = opendir(dir);
	assert_non_null(d);
	buf_init(&original, 1 << 20);
	buf_init(&work, 4 << 20);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf_reset(&original);
		read_file(path, &original);
		files++;
		for (i = 0; i < per_file; i++) {
			buf_reset(&work);
			if (buf_append(&work, original.data, original.len) < 0)
				fail();
			for (k = 1 + (int)below(4); k > 0; k--)
				mutate(&work);
			run_parsers(p, &work);
		}
	}
	closedir(d);
	assert_true(files > 5);
	buf_release(&original);
	buf_release(&work);
}

/* The neutral orders of simulate files, one per line, damaged alike. */
static void test_neutral_mutations(void **state)
{
	const char *src = getenv("AFFILIATED_SOURCE_DIR");
	int per_line = env_int("AFFILIATED_MUTATIONS", 150), i, k, lines = 0;
	char path[512];
	const char *line, *end, *broken;
	struct buf all, work;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/neutral/orders.jsonl",
		 src ? src : ".");
	buf_init(&all, 1 << 20);
	buf_init(&work, 1 << 20);
	read_file(path, &all);
	for (line = buf_str(&all); *line; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if (end == line)
			continue;
		lines++;
		for (i = 0; i < per_line; i++) {
			buf_reset(&work);
			if (buf_append(&work, line, (size_t)(end - line)) < 0)
				fail();
			for (k = 1 + (int)below(4); k > 0; k--)
				mutate(&work);
			if (check_neutral_order(work.data, work.len, &broken) <
			    0)
				fail_msg("neutral order: %s", broken);
		}
	}
	assert_true(lines > 3);
	buf_release(&all);
	buf_release(&work);
}

static void test_shopify_mutations(void **state)
{
	(void)state;
	mutate_fixtures(&shopify_provider, "shopify");
}

static void test_shopify_graphql_mutations(void **state)
{
	(void)state;
	mutate_fixtures(NULL, "shopify/graphql");
}

static void test_ecwid_mutations(void **state)
{
	(void)state;
	mutate_fixtures(&ecwid_provider, "ecwid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shopify_mutations),
		cmocka_unit_test(test_shopify_graphql_mutations),
		cmocka_unit_test(test_ecwid_mutations),
		cmocka_unit_test(test_neutral_mutations),
	};
	const char *seed = getenv("AFFILIATED_SEED");

	rng_state = seed && *seed ? strtoull(seed, NULL, 10)
				  : (uint64_t)time(NULL) * 2654435761u;
	if (!rng_state)
		rng_state = 1;
	printf("parse mutations: AFFILIATED_SEED=%llu\n",
	       (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
