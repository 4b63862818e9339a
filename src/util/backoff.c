#include "util/backoff.h"
#include "util/crypto.h"

int64_t backoff_ms(int64_t base_ms, int64_t cap_ms, int64_t attempts)
{
	int64_t d = base_ms;

	while (--attempts > 0 && d < cap_ms)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	return d / 2 + (int64_t)crypto_random_below((unsigned long)(d / 2 + 1));
}
