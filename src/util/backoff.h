/*
 * Exponential backoff with jitter, shared by the senders (rewards,
 * emails): base doubling per attempt up to cap.
 */
#ifndef AFFILIATED_BACKOFF_H
#define AFFILIATED_BACKOFF_H

#include <stdint.h>

/*
 * The wait before retry number attempts (1 = the first retry): base_ms
 * doubled up to cap_ms, anywhere in its upper half so that retries do
 * not march in step.
 */
int64_t backoff_ms(int64_t base_ms, int64_t cap_ms, int64_t attempts);

#endif
