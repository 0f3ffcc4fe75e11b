/*
 * Process and thread state of the layers module: GDAL registration and one
 * GEOS handle per thread (the reentrant API, never the global one).
 */
#include <pthread.h>
#include <time.h>

#include "layers/layers_internal.h"

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static pthread_once_t geos_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t geos_key;

static void gdal_register(void)
{
	GDALAllRegister();
}

void layer_gdal_init(void)
{
	pthread_once(&gdal_once, gdal_register);
}

double layer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void geos_handle_destroy(void *handle)
{
	if (handle != NULL)
		GEOS_finish_r(handle);
}

static void geos_key_create(void)
{
	pthread_key_create(&geos_key, geos_handle_destroy);
}

/* GEOS reports errors through return values; its messages are dropped. */
static void geos_message_ignore(const char *message, void *data)
{
	(void)message;
	(void)data;
}

GEOSContextHandle_t layer_geos_thread_handle(void)
{
	GEOSContextHandle_t h;

	pthread_once(&geos_key_once, geos_key_create);
	h = pthread_getspecific(geos_key);
	if (h != NULL)
		return h;

	h = GEOS_init_r();
	if (h == NULL)
		return NULL;
	GEOSContext_setErrorMessageHandler_r(h, geos_message_ignore, NULL);
	GEOSContext_setNoticeMessageHandler_r(h, geos_message_ignore, NULL);
	if (pthread_setspecific(geos_key, h) != 0) {
		GEOS_finish_r(h);
		return NULL;
	}
	return h;
}

void layer_thread_cleanup(void)
{
	GEOSContextHandle_t h;

	pthread_once(&geos_key_once, geos_key_create);
	h = pthread_getspecific(geos_key);
	if (h == NULL)
		return;
	pthread_setspecific(geos_key, NULL);
	GEOS_finish_r(h);
}
