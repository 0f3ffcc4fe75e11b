/*
 * Token buckets under one mutex: a take is a few arithmetic operations,
 * so the lock is held for nanoseconds.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "server/ratelimit.h"

struct bucket {
	double tokens;
	double updated;    /* time of the last refill, seconds */
	bool used;         /* false until the first take: the bucket is full */
};

struct ratelimit {
	pthread_mutex_t lock;
	struct bucket *buckets;
	size_t n;
};

struct ratelimit *ratelimit_new(size_t n_keys)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		return NULL;
	rl->buckets = calloc(n_keys + 1, sizeof(*rl->buckets));
	if (rl->buckets == NULL || pthread_mutex_init(&rl->lock, NULL) != 0) {
		free(rl->buckets);
		free(rl);
		return NULL;
	}
	rl->n = n_keys;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->buckets);
	free(rl);
}

bool ratelimit_take(struct ratelimit *rl, size_t key, double rate,
		    double burst, double now, double *retry_after)
{
	struct bucket *b;
	bool allowed;

	*retry_after = 0;
	if (rl == NULL || key >= rl->n || !(rate > 0))
		return true;
	if (!(burst >= 1))
		burst = 1;

	pthread_mutex_lock(&rl->lock);
	b = &rl->buckets[key];
	if (!b->used) {
		b->used = true;
		b->tokens = burst;
		b->updated = now;
	} else if (now > b->updated) {
		b->tokens = fmin(burst, b->tokens + (now - b->updated) * rate);
		b->updated = now;
	}
	allowed = b->tokens >= 1;
	if (allowed)
		b->tokens -= 1;
	else
		*retry_after = (1 - b->tokens) / rate;
	pthread_mutex_unlock(&rl->lock);
	return allowed;
}

double ratelimit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
