/*
 * `vnsdi crs`: the staff tool that lists the catalogue and converts points.
 *
 * Exit status: 0 on success, 2 on bad usage or bad input (every bad line of
 * a CSV is reported, the good ones are still converted).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vn2000/vn2000_internal.h"

#define EXIT_USAGE 2
/* Longest CSV line accepted, in bytes. */
#define LINE_MAX_BYTES 4096

struct convert_options {
	const struct vn2000_crs *from, *to;
	bool survey_order; /* projected coordinates as X = northing, Y = easting */
};

static void print_help(FILE *out)
{
	fputs("Cách dùng / Usage:\n"
	      "  vnsdi crs list\n"
	      "  vnsdi crs convert --from CRS --to CRS [--survey-order] [X Y]\n"
	      "\n"
	      "crs list: in danh mục hệ tọa độ (tên tiếng Việt và tiếng Anh).\n"
	      "          prints the CRS catalogue (Vietnamese and English "
	      "names).\n"
	      "crs convert: chuyển tọa độ một điểm X Y, hoặc từng dòng CSV "
	      "\"X,Y[,...]\" trên stdin.\n"
	      "          converts one point X Y, or each CSV line "
	      "\"X,Y[,...]\" on standard input;\n"
	      "          extra columns are copied, a first line that is not "
	      "numeric is copied as a header.\n"
	      "\n"
	      "  --from CRS, --to CRS  EPSG:5897, urn:ogc:def:crs:EPSG::9210, "
	      "CRS:84,\n"
	      "                        or a province name (\"Đà Nẵng\", \"Can "
	      "Tho\"): its TM-3 zone.\n"
	      "  --survey-order        projected coordinates are X = northing, "
	      "Y = easting\n"
	      "                        (Vietnamese survey order), in input and "
	      "output.\n"
	      "\n"
	      "Geographic coordinates are longitude then latitude in degrees "
	      "(9 decimals),\n"
	      "also for EPSG:4326 and EPSG:4756, whose EPSG axis order is "
	      "latitude first;\n"
	      "projected coordinates are in metres (3 decimals, millimetres). "
	      "VN-2000 <-> WGS 84\n"
	      "uses the official transformation of Decision 05/2007/QĐ-BTNMT "
	      "(EPSG:6960).\n",
	      out);
}

static int cmd_list(void)
{
	printf("%-10s %-9s %-8s %-50s %s\n", "id", "CM", "k0", "name_en",
	       "name_vi");
	for (size_t i = 0; i < vn2000_crs_count(); i++) {
		const struct vn2000_crs *c = vn2000_crs_at(i);
		char cm[16] = "-", k0[16] = "-";

		if (c->scale_factor != 0) {
			snprintf(cm, sizeof(cm), "%.2f", c->central_meridian);
			snprintf(k0, sizeof(k0), "%.4f", c->scale_factor);
		}
		printf("%-10s %-9s %-8s %-50s %s\n", c->id, cm, k0, c->name_en,
		       c->name_vi);
	}
	return 0;
}

/* Resolve a CRS argument, or print why not and return NULL. */
static const struct vn2000_crs *resolve_crs(const char *option,
					    const char *value)
{
	const struct vn2000_crs *c = vn2000_crs_find(value);
	const char *digits = value;
	long code;
	char *end;
	int replacement = 0;

	if (c)
		return c;
	while (*digits && !isdigit((unsigned char)*digits))
		digits++;
	code = strtol(digits, &end, 10);
	if (*digits && *end == '\0' && code > 0 && code < 1000000)
		replacement = vn2000_crs_deprecated((int)code);
	if (replacement)
		fprintf(stderr,
			"vnsdi crs: %s %s: mã EPSG đã bị hủy bỏ (hoán đổi "
			"tọa độ gốc, lệch 500 km), hãy dùng EPSG:%d. / "
			"deprecated EPSG code (false easting and northing "
			"swapped, 500 km off); use EPSG:%d.\n",
			option, value, replacement, replacement);
	else
		fprintf(stderr,
			"vnsdi crs: %s \"%s\": không nhận ra hệ tọa độ. / "
			"unknown CRS; run `vnsdi crs list`.\n",
			option, value);
	return NULL;
}

/* Parse a whole string as a finite number. */
static bool parse_number(const char *text, double *out)
{
	char *end;

	/* Decimal notation only: strtod would also take "0x10" and "inf". */
	if (*text == '\0' || strspn(text, "0123456789+-.eE") != strlen(text))
		return false;
	errno = 0;
	*out = strtod(text, &end);
	return end != text && *end == '\0' && errno == 0 && isfinite(*out);
}

/*
 * Whether a point (x, y in opt->from) lies where the target is defined. A
 * projection of the whole world (Web Mercator) is only defined between
 * the latitudes of its area of use (±85.06° for EPSG:3857); PROJ still
 * returns numbers beyond them, which are meaningless.
 */
static bool convert_in_domain(const struct convert_options *opt, double x,
			      double y)
{
	const struct vn2000_crs *to = opt->to;
	struct vn2000_transform *tr;

	if (to->geographic || to->area[0] > -180 || to->area[2] < 180)
		return true;
	tr = vn2000_transform_get(opt->from, vn2000_crs_find("CRS:84"));
	if (tr == NULL || vn2000_transform_points(tr, &x, &y, 1) != 0)
		return false;
	if (y >= to->area[1] && y <= to->area[3])
		return true;
	fprintf(stderr, "vnsdi crs: vĩ độ %.6f nằm ngoài vùng sử dụng của %s "
		"(%.2f đến %.2f). / latitude %.6f is outside the area of use "
		"of %s (%.2f to %.2f).\n", y, to->id, to->area[1], to->area[3],
		y, to->id, to->area[1], to->area[3]);
	return false;
}

/* Convert one point in place; false when it cannot be transformed. */
static bool convert_point(const struct convert_options *opt,
			  struct vn2000_transform *tr, double *a, double *b)
{
	double x = *a, y = *b;

	if (opt->survey_order && !opt->from->geographic) {
		x = *b;
		y = *a;
	}
	if (!convert_in_domain(opt, x, y))
		return false;
	if (vn2000_transform_points(tr, &x, &y, 1) != 0 || !isfinite(x) ||
	    !isfinite(y))
		return false;
	if (opt->survey_order && !opt->to->geographic) {
		*a = y;
		*b = x;
	} else {
		*a = x;
		*b = y;
	}
	return true;
}

/* Print two coordinates of the target CRS with their precision. */
static void print_pair(const struct vn2000_crs *to, double a, double b,
		       const char *separator)
{
	int decimals = to->geographic ? 9 : 3;

	printf("%.*f%s%.*f", decimals, a, separator, decimals, b);
}

/* Split the first two fields of a CSV line; *rest gets what follows. */
static bool split_fields(char *line, char **first, char **second, char **rest)
{
	char *sep;

	*first = line;
	sep = strchr(line, ',');
	if (!sep)
		return false;
	*sep = '\0';
	*second = sep + 1;
	sep = strchr(*second, ',');
	*rest = NULL;
	if (sep) {
		*sep = '\0';
		*rest = sep + 1;
	}
	return true;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Convert one CSV line; returns false (with a message) when it is bad. */
static bool convert_line(const struct convert_options *opt,
			 struct vn2000_transform *tr, char *line,
			 unsigned long number, bool *header_allowed)
{
	char original[LINE_MAX_BYTES];
	char *first, *second, *rest;
	double a, b;
	bool numeric;

	snprintf(original, sizeof(original), "%s", line);
	numeric = split_fields(line, &first, &second, &rest) &&
		  parse_number(trim(first), &a) && parse_number(trim(second), &b);
	if (!numeric && *header_allowed) {
		*header_allowed = false;
		printf("%s\n", original);
		return true;
	}
	*header_allowed = false;
	if (!numeric) {
		fprintf(stderr,
			"vnsdi crs: dòng %lu: cần hai số X,Y. / line %lu: "
			"expected two numbers X,Y.\n",
			number, number);
		return false;
	}
	if (!convert_point(opt, tr, &a, &b)) {
		fprintf(stderr,
			"vnsdi crs: dòng %lu: không chuyển đổi được điểm. / "
			"line %lu: the point cannot be transformed.\n",
			number, number);
		return false;
	}
	print_pair(opt->to, a, b, ",");
	if (rest)
		printf(",%s", rest);
	putchar('\n');
	return true;
}

static int convert_stdin(const struct convert_options *opt,
			 struct vn2000_transform *tr)
{
	char line[LINE_MAX_BYTES];
	unsigned long number = 0;
	bool header_allowed = true;
	int status = 0;

	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);

		number++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			fprintf(stderr,
				"vnsdi crs: dòng %lu dài quá %d byte. / line %lu "
				"is longer than %d bytes.\n",
				number, LINE_MAX_BYTES - 2, number,
				LINE_MAX_BYTES - 2);
			return EXIT_USAGE;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (*trim(line) == '\0')
			continue;
		if (!convert_line(opt, tr, line, number, &header_allowed))
			status = EXIT_USAGE;
	}
	return status;
}

/* Convert the point given as two arguments. */
static int convert_args(const struct convert_options *opt,
			struct vn2000_transform *tr, const char *xs,
			const char *ys)
{
	double a, b;

	if (!parse_number(xs, &a) || !parse_number(ys, &b)) {
		fprintf(stderr,
			"vnsdi crs: tọa độ không hợp lệ \"%s %s\", cần hai số. / "
			"invalid coordinates \"%s %s\": expected two numbers.\n",
			xs, ys, xs, ys);
		return EXIT_USAGE;
	}
	if (!convert_point(opt, tr, &a, &b)) {
		fprintf(stderr,
			"vnsdi crs: không chuyển đổi được điểm %s %s. / the "
			"point %s %s cannot be transformed.\n",
			xs, ys, xs, ys);
		/* The usual cause: EPSG:4326 and EPSG:4756 are latitude first
		   in their EPSG definition, but this command takes x y. */
		if (opt->from->geographic && fabs(b) > 90 && fabs(a) <= 90)
			fprintf(stderr,
				"vnsdi crs: tọa độ địa lý được nhập theo thứ tự "
				"kinh độ rồi vĩ độ (x y), kể cả với %s; hãy "
				"thử \"%s %s\". / geographic coordinates are "
				"given as longitude then latitude (x y), also "
				"for %s: try \"%s %s\".\n",
				opt->from->id, ys, xs, opt->from->id, ys, xs);
		return EXIT_USAGE;
	}
	print_pair(opt->to, a, b, " ");
	putchar('\n');
	return 0;
}

/* Parse the options of `crs convert`; returns the index of the first
 * positional argument, or -1 after printing why the usage is wrong. */
static int parse_convert_options(int argc, char **argv,
				 struct convert_options *opt)
{
	int i;

	memset(opt, 0, sizeof(*opt));
	for (i = 2; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--survey-order") == 0) {
			opt->survey_order = true;
		} else if (strcmp(arg, "--from") == 0 || strcmp(arg, "--to") == 0) {
			const struct vn2000_crs *c;

			if (i + 1 >= argc) {
				fprintf(stderr,
					"vnsdi crs: thiếu giá trị cho %s. / "
					"missing value for %s.\n",
					arg, arg);
				return -1;
			}
			c = resolve_crs(arg, argv[++i]);
			if (!c)
				return -1;
			if (arg[2] == 'f')
				opt->from = c;
			else
				opt->to = c;
		} else if (arg[0] == '-' && arg[1] != '\0' &&
			   !isdigit((unsigned char)arg[1]) && arg[1] != '.') {
			fprintf(stderr,
				"vnsdi crs: tùy chọn không hợp lệ %s. / unknown "
				"option %s; run `vnsdi crs --help`.\n",
				arg, arg);
			return -1;
		} else {
			break;
		}
	}
	if (!opt->from || !opt->to) {
		fprintf(stderr, "vnsdi crs: cần --from và --to. / --from and "
				"--to are required.\n");
		return -1;
	}
	return i;
}

static int cmd_convert(int argc, char **argv)
{
	struct convert_options opt;
	struct vn2000_transform *tr;
	int first = parse_convert_options(argc, argv, &opt);
	int status;

	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 0 && argc - first != 2) {
		fprintf(stderr,
			"vnsdi crs: cần đúng hai tọa độ X Y, hoặc CSV trên stdin. "
			"/ expected exactly two coordinates X Y, or CSV on "
			"standard input.\n");
		return EXIT_USAGE;
	}
	tr = vn2000_transform_get(opt.from, opt.to);
	if (!tr) {
		fprintf(stderr,
			"vnsdi crs: không tạo được phép chuyển đổi %s -> %s. / "
			"cannot build the transformation %s -> %s.\n",
			opt.from->id, opt.to->id, opt.from->id, opt.to->id);
		return 1;
	}
	if (argc - first == 2)
		status = convert_args(&opt, tr, argv[first], argv[first + 1]);
	else
		status = convert_stdin(&opt, tr);
	fflush(stdout);
	return status;
}

int vn2000_cli_main(int argc, char **argv)
{
	int status;

	if (argc < 2 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "list") == 0)
		status = cmd_list();
	else if (strcmp(argv[1], "convert") == 0)
		status = cmd_convert(argc, argv);
	else {
		fprintf(stderr,
			"vnsdi crs: lệnh không hợp lệ \"%s\". / unknown command "
			"\"%s\".\n\n",
			argv[1], argv[1]);
		print_help(stderr);
		status = EXIT_USAGE;
	}
	vn2000_thread_cleanup();
	return status;
}
