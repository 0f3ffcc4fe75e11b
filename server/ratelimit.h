/*
 * server/ratelimit: one token bucket per key (a configured user), for the
 * request rate limits of partner keys.
 *
 * A bucket holds at most `burst` tokens and refills at `rate` tokens per
 * second. Each request takes one token; a request that finds none is
 * refused with the time until the next token. Buckets start full.
 *
 * Threads: ratelimit_take may be called from any thread.
 */
#ifndef VNSDI_SERVER_RATELIMIT_H
#define VNSDI_SERVER_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct ratelimit;

/* Buckets for keys 0 .. n_keys - 1. Returns NULL when out of memory. */
struct ratelimit *ratelimit_new(size_t n_keys);

/* Free the buckets. Accepts NULL. */
void ratelimit_free(struct ratelimit *rl);

/*
 * Take one token from the bucket of `key` at time `now` (seconds on a
 * monotonic clock). Returns true when the request may proceed. Returns
 * false when the bucket is empty, with *retry_after set to the seconds
 * until one token is back (> 0). A rate <= 0, a NULL limiter or a key out
 * of range never limits.
 */
bool ratelimit_take(struct ratelimit *rl, size_t key, double rate,
		    double burst, double now, double *retry_after);

/* Seconds on CLOCK_MONOTONIC, the clock ratelimit_take expects. */
double ratelimit_now(void);

#endif
