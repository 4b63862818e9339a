/*
 * util/buf.h: the capped buffer. Appends within, exactly at and past the
 * maximum; printf growth; take; and the error-message helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/buf.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_empty_toobig(const struct buf *b)
{
	assert_null(b->data);
	assert_int_equal(b->len, 0);
	assert_int_equal(b->cap, 0);
	assert_true(b->toobig);
	assert_string_equal(buf_str(b), "");
}

/*
 * Appends in two steps: first, then second bytes, with max. A refused
 * append leaves the buffer empty (contents freed) and toobig set.
 */
static struct append_case {
	const char *name;
	size_t max, first, second;
	int rc1, rc2;
} append_cases[] = {
	{"within max", 10, 3, 4, 0, 0},
	{"exactly max in one", 10, 10, 0, 0, 0},
	{"exactly max in two", 10, 6, 4, 0, 0},
	{"one past max in one", 10, 11, 0, -1, 0},
	{"one past max in two", 10, 6, 5, 0, -1},
	{"max 0, empty append", 0, 0, 0, 0, 0},
	{"max 0, one byte", 0, 1, 0, -1, 0},
	{"past the 64-byte first block", 1000, 64, 200, 0, 0},
	{"exactly a large max", 5000, 4000, 1000, 0, 0},
	{"one past a large max", 5000, 4000, 1001, 0, -1},
};

static void test_append(void **state)
{
	const struct append_case *c = *state;
	char src[8192];
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (char)('a' + i % 26);
	buf_init(&b, c->max);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_append(&b, src, c->first), c->rc1);
	if (c->rc1 < 0) {
		check_empty_toobig(&b);
		return;
	}
	assert_int_equal(buf_append(&b, src + c->first, c->second), c->rc2);
	if (c->rc2 < 0) {
		check_empty_toobig(&b);
		return;
	}
	assert_false(b.toobig);
	assert_int_equal(b.len, c->first + c->second);
	assert_true(b.len <= b.max);
	assert_true(b.cap <= b.max + 1);
	assert_int_equal(strlen(buf_str(&b)), b.len);
	assert_memory_equal(buf_str(&b), src, b.len);
	buf_release(&b);
}

/* After a refusal the buffer can be reused with the same maximum. */
static void test_reuse_after_toobig(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(buf_puts(&b, "abcde"), -1);
	check_empty_toobig(&b);
	assert_int_equal(b.max, 4);
	buf_reset(&b);
	assert_false(b.toobig);
	assert_int_equal(buf_puts(&b, "abcd"), 0);
	assert_string_equal(buf_str(&b), "abcd");
	assert_int_equal(buf_putc(&b, 'e'), -1);
	check_empty_toobig(&b);
	buf_release(&b);
}

static void test_puts_putc(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_SMALL);
	assert_int_equal(buf_puts(&b, ""), 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(buf_putc(&b, 'c'), 0);
	assert_int_equal(buf_putc(&b, '\0'), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "abc\0", 5);
	buf_release(&b);
}

static void test_reset_keeps_memory(void **state)
{
	struct buf b;
	char *p;

	(void)state;
	buf_init(&b, BUF_SMALL);
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "hello"), 0);
	p = b.data;
	buf_reset(&b);
	assert_ptr_equal(b.data, p);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.max, BUF_SMALL);
	buf_release(&b);
}

/* Reserved room is used by the appends that follow, without moving. */
static void test_reserve(void **state)
{
	struct buf b;
	char *p;
	int i;

	(void)state;
	buf_init(&b, 5000);
	assert_int_equal(buf_reserve(&b, 4096), 0);
	assert_true(b.cap >= 4097);
	p = b.data;
	for (i = 0; i < 4096; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_ptr_equal(b.data, p);
	assert_int_equal(b.len, 4096);
	assert_int_equal(b.data[4095], (char)('a' + 4095 % 26));
	/* Room past the cap is refused like an append past it. */
	assert_int_equal(buf_reserve(&b, 1000), -1);
	check_empty_toobig(&b);
	buf_release(&b);
}

static void test_printf_growth(void **state)
{
	char big[3000];
	struct buf b;
	size_t i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, BUF_SMALL);
	assert_int_equal(buf_printf(&b, "%d-%s", 7, "a"), 0);
	assert_string_equal(buf_str(&b), "7-a");
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_printf(&b, "%02zu,", i % 100), 0);
	assert_int_equal(b.len, 3 + 300);
	assert_memory_equal(b.data + 3, "00,01,02,", 9);
	assert_memory_equal(b.data + b.len - 3, "99,", 3);
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 303 + 2 + sizeof(big) - 1);
	assert_int_equal(strlen(buf_str(&b)), b.len);
	assert_int_equal(b.data[b.len - 1], ']');
	buf_release(&b);
}

static void test_printf_exact_and_past_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 5);
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_int_equal(buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(buf_str(&b), "12345");
	assert_int_equal(buf_printf(&b, "%c", 'x'), -1);
	check_empty_toobig(&b);
	buf_release(&b);
	buf_init(&b, 5);
	assert_int_equal(buf_printf(&b, "%s", "123456"), -1);
	check_empty_toobig(&b);
	buf_release(&b);
}

static void test_take(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, BUF_SMALL);
	assert_int_equal(buf_puts(&b, "owned"), 0);
	s = buf_take(&b);
	assert_string_equal(s, "owned");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(buf_str(&b), "");
	free(s);
	/* Reusable after take. */
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(buf_str(&b), "again");
	buf_release(&b);
}

static void test_take_empty(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, BUF_SMALL);
	s = buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_errorf_null(void **state)
{
	(void)state;
	assert_int_equal(errorf(NULL, "x %d", 1), -1);
	assert_int_equal(error_prefix(NULL, "y %d", 2), -1);
}

static void test_errorf_replaces(void **state)
{
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(errorf(&err, "first %d", 1), -1);
	assert_string_equal(buf_str(&err), "first 1");
	assert_int_equal(errorf(&err, "second '%s'", "x"), -1);
	assert_string_equal(buf_str(&err), "second 'x'");
	buf_release(&err);
}

static void test_error_prefix_composes(void **state)
{
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(errorf(&err, "b"), -1);
	assert_int_equal(error_prefix(&err, "%s", "a"), -1);
	assert_string_equal(buf_str(&err), "a: b");
	assert_int_equal(error_prefix(&err, "file:%d", 3), -1);
	assert_string_equal(buf_str(&err), "file:3: a: b");
	assert_int_equal(err.len, strlen("file:3: a: b"));
	buf_release(&err);
}

/* A message too long for err does not overflow it. */
static void test_error_too_long(void **state)
{
	struct buf err;

	(void)state;
	buf_init(&err, 8);
	assert_int_equal(errorf(&err, "%s", "0123456789"), -1);
	assert_true(err.len <= err.max);
	assert_int_equal(strlen(buf_str(&err)), err.len);
	assert_int_equal(errorf(&err, "short"), -1);
	assert_string_equal(buf_str(&err), "short");
	assert_int_equal(error_prefix(&err, "prefix"), -1);
	assert_true(err.len <= err.max);
	assert_int_equal(strlen(buf_str(&err)), err.len);
	buf_release(&err);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(append_cases); i++)
		add_case(test_append, &append_cases[i], "append %s",
			 append_cases[i].name);
	add_case(test_reuse_after_toobig, NULL, "reuse after toobig");
	add_case(test_puts_putc, NULL, "puts and putc");
	add_case(test_reset_keeps_memory, NULL, "reset keeps memory");
	add_case(test_reserve, NULL, "reserve then append in place");
	add_case(test_printf_growth, NULL, "printf growth");
	add_case(test_printf_exact_and_past_max, NULL,
		 "printf exact and past max");
	add_case(test_take, NULL, "take");
	add_case(test_take_empty, NULL, "take empty");
	add_case(test_errorf_null, NULL, "errorf and error_prefix NULL");
	add_case(test_errorf_replaces, NULL, "errorf replaces");
	add_case(test_error_prefix_composes, NULL, "error_prefix composes");
	add_case(test_error_too_long, NULL, "error too long");
	return _cmocka_run_group_tests("buf", cases, ncases, NULL, NULL);
}
