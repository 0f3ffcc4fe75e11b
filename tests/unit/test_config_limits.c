/*
 * Config robustness: the file size and nesting caps, one YAML document,
 * a config or a source that is a FIFO (an error, never a hang), and port 0
 * in server.listen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

#define LAYER_OK "layers:\n  - id: parcels\n    source: data.gpkg\n"

static char tmp_dir[] = "/tmp/vnsdi-config-limits-XXXXXX";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	char path[600];

	(void)state;
	if (mkdtemp(tmp_dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/data.gpkg", tmp_dir);
	write_text(path, "");
	/* A FIFO that nobody writes: opening it for reading would block. */
	snprintf(path, sizeof(path), "%s/fifo", tmp_dir);
	if (mkfifo(path, 0600) != 0)
		return -1;
	/* Any case that blocks fails the test instead of hanging it. */
	alarm(60);
	return 0;
}

static int teardown(void **state)
{
	char command[600];

	(void)state;
	alarm(0);
	snprintf(command, sizeof(command), "rm -rf '%s'", tmp_dir);
	return system(command) == 0 ? 0 : -1;
}

/* Load `text` (or the file `name` when text is NULL) from the test folder;
   return the first English message, or "" when it loads. */
static int load(const char *name, const char *text, struct cfg **out,
		char *message, size_t size)
{
	struct cfg_errors errors = { 0 };
	char path[600];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	if (text != NULL)
		write_text(path, text);
	rc = cfg_load(path, out, &errors);
	message[0] = '\0';
	for (size_t i = 0; i < errors.count; i++)
		if (errors.items[i].severity == CFG_SEVERITY_ERROR) {
			snprintf(message, size, "%s",
				 errors.items[i].message_en
					 ? errors.items[i].message_en
					 : errors.items[i].message);
			break;
		}
	cfg_errors_clear(&errors);
	return rc;
}

/* The text with `depth` nested flow sequences under a key. */
static char *nested(int depth)
{
	size_t n = strlen(LAYER_OK) + 2 * (size_t)depth + 32;
	char *text = malloc(n);
	size_t used;

	assert_non_null(text);
	used = (size_t)snprintf(text, n, "%sx: ", LAYER_OK);
	for (int i = 0; i < depth; i++)
		text[used++] = '[';
	for (int i = 0; i < depth; i++)
		text[used++] = ']';
	text[used++] = '\n';
	text[used] = '\0';
	return text;
}

struct limit_case {
	const char *what;
	const char *name;      /* file in the test folder */
	char *text;            /* written first; NULL: use the file as is */
	const char *expected;  /* part of the first error */
};

static void test_config_limits_rejected(void **state)
{
	char *big = malloc(4 * 1024 * 1024 + 64);
	struct limit_case cases[] = {
		{ "too deep", "deep.yaml", nested(65),
		  "YAML nested deeper than 64 levels" },
		{ "second document", "two.yaml",
		  (char *)LAYER_OK "---\n" LAYER_OK,
		  "more than one YAML document (---)" },
		{ "too big", "big.yaml", big,
		  "the config file has 4194344 bytes, the maximum is 4194304" },
		{ "config is a FIFO", "fifo", NULL,
		  "the config file is not a regular file" },
		{ "source is a FIFO", "fifo-source.yaml",
		  (char *)"layers:\n  - id: parcels\n    source: fifo\n",
		  "\"fifo\" for layers[0].source is not a regular file or a "
		  "folder" },
	};
	(void)state;

	assert_non_null(big);
	/* A comment line of 4 MiB + 40 bytes after a valid layer. */
	snprintf(big, 64, "%s#", LAYER_OK);
	memset(big + strlen(big), 'x',
	       4 * 1024 * 1024 + 40 - strlen(big) - 1);
	big[4 * 1024 * 1024 + 39] = '\n';
	big[4 * 1024 * 1024 + 40] = '\0';

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cfg *cfg = NULL;
		char message[1024];
		int rc = load(cases[i].name, cases[i].text, &cfg, message,
			      sizeof(message));

		if (rc != -1 || strstr(message, cases[i].expected) == NULL)
			fprintf(stderr, "%s: expected an error with \"%s\", "
				"got rc %d and \"%s\"\n", cases[i].what,
				cases[i].expected, rc, message);
		assert_int_equal(rc, -1);
		assert_null(cfg);
		assert_non_null(strstr(message, cases[i].expected));
	}
	free(cases[0].text);
	free(big);
}

static void test_config_depth_at_limit(void **state)
{
	char *text = nested(63);   /* 64 levels with the top mapping */
	struct cfg *cfg = NULL;
	char message[1024];
	(void)state;

	/* Rejected for the unknown key x, not for its depth. */
	assert_int_equal(load("deep64.yaml", text, &cfg, message,
			      sizeof(message)), -1);
	assert_null(strstr(message, "nested deeper"));
	assert_non_null(strstr(message, "unknown key \"x\""));
	free(text);
}

static void test_config_listen_port_zero(void **state)
{
	struct cfg *cfg = NULL;
	char message[1024];
	(void)state;

	assert_int_equal(load("port0.yaml",
			      "server:\n  listen: 127.0.0.1:0\n" LAYER_OK,
			      &cfg, message, sizeof(message)), 0);
	assert_non_null(cfg);
	assert_int_equal(cfg->listen_port, 0);
	assert_string_equal(cfg->listen_host, "127.0.0.1");
	cfg_free(cfg);
	cfg = NULL;
	assert_int_equal(load("port-bad.yaml",
			      "server:\n  listen: 127.0.0.1:65536\n" LAYER_OK,
			      &cfg, message, sizeof(message)), -1);
	assert_non_null(strstr(message, "port from 0 to 65535"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_limits_rejected),
		cmocka_unit_test(test_config_depth_at_limit),
		cmocka_unit_test(test_config_listen_port_zero),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
