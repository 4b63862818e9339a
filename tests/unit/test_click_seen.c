/*
 * click_seen.h: each row notes some visits, then asks for one; the
 * answer is the id of the visit's first click, or none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/click_seen.h"

#include <stdio.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct visit {
	int64_t affiliate_id;
	const char *ip_hash;
	int64_t created_at;
	int64_t id;
};

static const struct {
	const char *name;
	struct visit noted[3];
	int64_t affiliate_id;
	const char *ip_hash;
	int64_t since;
	int64_t want; /* 0: none */
} cases[] = {
	{"empty table", {{0}}, 1, "aa", 0, 0},
	{"the same visit", {{1, "aa", 100, 11}}, 1, "aa", 50, 11},
	{"since is inclusive", {{1, "aa", 100, 11}}, 1, "aa", 100, 11},
	{"older than the window", {{1, "aa", 100, 11}}, 1, "aa", 101, 0},
	{"another address", {{1, "aa", 100, 11}}, 1, "ab", 0, 0},
	{"another affiliate", {{1, "aa", 100, 11}}, 2, "aa", 0, 0},
	{"a newer visit replaces the old",
	 {{1, "aa", 100, 11}, {1, "aa", 200, 12}},
	 1,
	 "aa",
	 0,
	 12},
	{"an older one loaded later does not",
	 {{1, "aa", 200, 12}, {1, "aa", 100, 11}},
	 1,
	 "aa",
	 0,
	 12},
	{"others stay apart",
	 {{1, "aa", 100, 11}, {2, "aa", 100, 21}, {1, "bb", 100, 31}},
	 2,
	 "aa",
	 0,
	 21},
};

static void test_cases(void **state)
{
	size_t i, j;
	int64_t id;

	(void)state;
	for (i = 0; i < COUNT(cases); i++) {
		struct click_seen *cs = click_seen_new();

		for (j = 0; j < COUNT(cases[i].noted); j++)
			if (cases[i].noted[j].affiliate_id)
				click_seen_note(cs,
						cases[i].noted[j].affiliate_id,
						cases[i].noted[j].ip_hash,
						cases[i].noted[j].created_at,
						cases[i].noted[j].id);
		id = 0;
		if (click_seen_find(cs, cases[i].affiliate_id, cases[i].ip_hash,
				    cases[i].since,
				    &id) != (cases[i].want != 0))
			fail_msg("%s: found %lld", cases[i].name,
				 (long long)id);
		if (cases[i].want)
			assert_int_equal(id, cases[i].want);
		click_seen_free(cs);
	}
}

/* Past capacity the oldest visits go, the newest stay: bounded. */
static void test_bounded(void **state)
{
	struct click_seen *cs = click_seen_new();
	int64_t n = click_seen_capacity() * 4, i, found = 0, id;
	char ip[32];

	(void)state;
	for (i = 1; i <= n; i++) {
		snprintf(ip, sizeof(ip), "%lld", (long long)i);
		click_seen_note(cs, 1, ip, i, i);
	}
	for (i = n - 99; i <= n; i++) {
		snprintf(ip, sizeof(ip), "%lld", (long long)i);
		found += click_seen_find(cs, 1, ip, 0, &id);
	}
	assert_int_equal(found, 100);
	for (found = 0, i = 1; i <= n; i++) {
		snprintf(ip, sizeof(ip), "%lld", (long long)i);
		found += click_seen_find(cs, 1, ip, 0, &id);
	}
	assert_true(found <= click_seen_capacity());
	click_seen_free(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
