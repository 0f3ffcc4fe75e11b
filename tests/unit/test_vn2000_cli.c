/*
 * `vnsdi crs list` and `vnsdi crs convert`, run through vn2000_cli_main
 * with standard input and output redirected to temp files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vn2000/vn2000.h"

struct run {
	int status;
	char out[65536];
	char err[8192];
};

/* Read the whole of fd (a temp file) from its start into buf. */
static void slurp(int fd, char *buf, size_t size)
{
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static int temp_file(void)
{
	char path[] = "/tmp/vnsdi-cli-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

/* Run `vnsdi crs ARGS` with `input` on standard input. */
static void run_cli(struct run *r, const char *input, int argc, char **argv)
{
	int out = temp_file(), err = temp_file(), in = temp_file();
	int saved_out = dup(1), saved_err = dup(2), saved_in = dup(0);

	if (input)
		assert_true(write(in, input, strlen(input)) ==
			    (ssize_t)strlen(input));
	lseek(in, 0, SEEK_SET);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	dup2(in, 0);
	clearerr(stdin);

	r->status = vn2000_cli_main(argc, argv);

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	dup2(saved_in, 0);
	clearerr(stdin);
	close(saved_out);
	close(saved_err);
	close(saved_in);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	close(out);
	close(err);
	close(in);
}

#define RUN(r, input, ...)                                                    \
	do {                                                                  \
		char *argv_[] = { "crs", __VA_ARGS__, NULL };                 \
		run_cli((r), (input), (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, \
			argv_);                                               \
	} while (0)

static void expect_output(const struct run *r, int status, const char *out)
{
	if (r->status != status || strcmp(r->out, out) != 0)
		print_error("expected status %d and \"%s\", obtained %d and "
			    "\"%s\" (stderr: %s)\n",
			    status, out, r->status, r->out, r->err);
	assert_int_equal(r->status, status);
	assert_string_equal(r->out, out);
}

static void test_list(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, NULL, "list");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "EPSG:5899"));
	assert_non_null(strstr(r.out, "VN-2000 / TM-3 107-45"));
	assert_non_null(strstr(r.out, "kinh tuyến trục 107°45′ (Quảng Ninh, Đà Nẵng"));
	assert_non_null(strstr(r.out, "CRS:84"));
	assert_null(strstr(r.out, "EPSG:6959"));
}

static void test_convert_point(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, NULL, "convert", "--from", "EPSG:5897", "--to", "EPSG:4326",
	    "588580.1514", "2326269.2970");
	expect_output(&r, 0, "105.854082652 21.027814006\n");
	RUN(&r, NULL, "convert", "--from", "Đà Nẵng", "--to", "EPSG:3406",
	    "550370.2064", "1777025.4798");
	expect_output(&r, 0, "202650.085 1778432.192\n");
}

static void test_convert_survey_order(void **state)
{
	struct run r;

	(void)state;
	/* X = northing, Y = easting on both projected sides. */
	RUN(&r, NULL, "convert", "--survey-order", "--from", "EPSG:5897",
	    "--to", "EPSG:3405", "2326269.2970", "588580.1514");
	expect_output(&r, 0, "2325571.346 588553.575\n");
	/* Geographic output stays longitude, latitude. */
	RUN(&r, NULL, "convert", "--from", "EPSG:5897", "--to", "EPSG:4756",
	    "--survey-order", "2326269.2970", "588580.1514");
	expect_output(&r, 0, "105.852200000 21.028800000\n");
}

static void test_convert_csv(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "E,N,ten\n588580.1514,2326269.2970,Hoàn Kiếm\n\n"
		"586336.8817 , 1109618.9951\n",
	    "convert", "--from", "EPSG:5897", "--to", "CRS:84");
	expect_output(&r, 0,
		      "E,N,ten\n105.854082652,21.027814006,Hoàn Kiếm\n"
		      "105.789384248,10.033086100\n");
}

static void test_convert_csv_bad_line(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "588580.1514,2326269.2970\n588580.1514,abc\n", "convert",
	    "--from", "EPSG:5897", "--to", "EPSG:4756");
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "105.852200000,21.028800000\n");
	assert_non_null(strstr(r.err, "line 2"));
}

struct bad_case {
	const char *args[8];
	const char *message; /* expected in stderr */
};

static void test_bad_usage(void **state)
{
	static const struct bad_case cases[] = {
		{ { "convert", "--from", "EPSG:6959", "--to", "EPSG:4326", "1",
		    "2" },
		  "use EPSG:5899" },
		{ { "convert", "--from", "EPSG:1234567", "--to", "EPSG:4326",
		    "1", "2" },
		  "unknown CRS" },
		{ { "convert", "--from", "EPSG:5897", "1", "2" },
		  "--to are required" },
		{ { "convert", "--from", "EPSG:5897", "--to", "EPSG:4326",
		    "12abc", "2" },
		  "invalid coordinates \"12abc 2\"" },
		{ { "convert", "--from", "EPSG:5897", "--to", "EPSG:4326", "1" },
		  "exactly two coordinates" },
		{ { "convert", "--from" }, "missing value for --from" },
		{ { "convert", "--bogus" }, "unknown option --bogus" },
		{ { "transform" }, "unknown command \"transform\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[10] = { "crs" };
		int argc = 1;
		struct run r;

		while (argc < 9 && cases[i].args[argc - 1])
			argv[argc] = (char *)cases[i].args[argc - 1], argc++;
		run_cli(&r, NULL, argc, argv);
		if (r.status != 2 || !strstr(r.err, cases[i].message))
			print_error("case %zu (%s ...): expected status 2 and "
				    "\"%s\", obtained %d and \"%s\"\n",
				    i, cases[i].args[0], cases[i].message,
				    r.status, r.err);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, cases[i].message));
	}
}

static void test_help(void **state)
{
	struct run r;
	char *argv[] = { "crs", NULL };

	(void)state;
	RUN(&r, NULL, "--help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--survey-order"));
	run_cli(&r, NULL, 1, argv);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "Usage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_convert_point),
		cmocka_unit_test(test_convert_survey_order),
		cmocka_unit_test(test_convert_csv),
		cmocka_unit_test(test_convert_csv_bad_line),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
