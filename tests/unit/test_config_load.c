/*
 * Config loading: the sample config with its generated data, defaults, a
 * table of bad configs with the exact "file:line: message" each must give,
 * and the sample generator's determinism.
 */
#define _XOPEN_SOURCE 700

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gdal.h>
#include <ogr_api.h>

#include "config/config.h"

/* The temporary folder of this run: a/ and b/ hold two generated samples. */
static char tmp_root[64];

static void path_join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);
	assert_true(n > 0 && (size_t)n < size);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	char buf[8192];
	size_t n;
	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* vnsdi-samplegen sits in the build folder, one level above the tests. */
static void samplegen_path(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	int len = snprintf(out, size, "%s/../vnsdi-samplegen", exe);
	assert_true(len > 0 && (size_t)len < size);
}

static int run_samplegen(const char *out_dir)
{
	char gen[PATH_MAX];
	samplegen_path(gen, sizeof(gen));
	if (access(gen, X_OK) != 0) {
		fprintf(stderr, "vnsdi-samplegen not found at %s: build it\n",
			gen);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execl(gen, gen, out_dir, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	char dir[PATH_MAX];
	char yaml[PATH_MAX];
	(void)state;

	GDALAllRegister();
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/vnsdi-test-config-XXXXXX");
	if (!mkdtemp(tmp_root))
		return -1;
	const char *subdirs[] = { "a", "b", "cases" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", tmp_root, subdirs[i]);
		if (mkdir(dir, 0755) != 0)
			return -1;
	}
	snprintf(dir, sizeof(dir), "%s/a/data", tmp_root);
	if (run_samplegen(dir) != 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/b/data", tmp_root);
	if (run_samplegen(dir) != 0)
		return -1;

	snprintf(yaml, sizeof(yaml), "%s/a/vnsdi.yaml", tmp_root);
	copy_file(VNSDI_SOURCE_DIR "/samples/vnsdi.yaml", yaml);

	/* Bad configs name these; only their existence is checked. */
	snprintf(dir, sizeof(dir), "%s/cases/data.gpkg", tmp_root);
	write_text(dir, "");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (tmp_root[0])
		nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void print_errors(const struct cfg_errors *errors)
{
	cfg_errors_print_lang(errors, stderr, true);
	cfg_errors_print_lang(errors, stderr, false);
}

static void test_sample_config_loads(void **state)
{
	char path[PATH_MAX];
	char expect[PATH_MAX];
	struct cfg *cfg = NULL;
	struct cfg_errors errors = { 0 };
	(void)state;

	snprintf(path, sizeof(path), "%s/a/vnsdi.yaml", tmp_root);
	int rc = cfg_load(path, &cfg, &errors);
	if (rc != 0 || errors.count)
		print_errors(&errors);
	assert_int_equal(rc, 0);
	assert_int_equal(errors.count, 0);

	assert_string_equal(cfg->listen_host, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 8080);
	assert_int_equal(cfg->threads, 8);
	snprintf(expect, sizeof(expect), "%s/a/data/var", tmp_root);
	assert_string_equal(cfg->data_dir, expect);
	assert_null(cfg->public_url);
	assert_string_equal(cfg->title_vi,
			    "Hạ tầng dữ liệu không gian đất đai — mẫu Cần Thơ");
	assert_string_equal(cfg->title_en,
			    "Land spatial data infrastructure — Can Tho sample");
	assert_int_equal(cfg->n_cors_origins, 1);
	assert_string_equal(cfg->cors_origins[0], "*");

	assert_int_equal(cfg->limits.max_width, 4096);
	assert_int_equal(cfg->limits.max_height, 4096);
	assert_int_equal(cfg->limits.default_features, 10);
	assert_int_equal(cfg->limits.max_features, 1000);
	assert_int_equal(cfg->limits.request_timeout, 30);
	assert_int_equal(cfg->limits.max_upload, 512LL * 1024 * 1024);

	assert_int_equal(cfg->n_output_crs, 7);
	assert_string_equal(cfg->output_crs[0], "EPSG:3857");
	assert_string_equal(cfg->output_crs[2], "CRS:84");
	assert_string_equal(cfg->output_crs[6], "EPSG:5897");

	assert_true(cfg->imagery_max_km2 == 200.0);
	assert_int_equal(cfg->n_restricted, 1);
	snprintf(expect, sizeof(expect), "%s/a/data/cantho_sample.gpkg",
		 tmp_root);
	assert_string_equal(cfg->restricted[0].source, expect);
	assert_string_equal(cfg->restricted[0].source_layer,
			    "restricted_areas");
	assert_string_equal(cfg->restricted[0].crs, "EPSG:5897");
	assert_string_equal(cfg->restricted[0].name_attribute, "Ten");
	assert_string_equal(cfg->restricted[0].reason_attribute, "MaLyDo");

	assert_int_equal(cfg->n_users, 4);
	assert_string_equal(cfg->users[0].name, "demo-partner");
	assert_int_equal(cfg->users[0].role, CFG_ROLE_PARTNER);
	assert_string_equal(cfg->users[0].token_sha256,
			    "1dadeac5e7b1c964057e5bafb6559b24"
			    "99c58f18f4ae1db70ab9ca6af91adbab");
	assert_true(cfg->users[0].rate_limit == 20.0);
	assert_string_equal(cfg->users[1].name, "demo-planner");
	assert_int_equal(cfg->users[1].role, CFG_ROLE_PLANNER);
	assert_int_equal(cfg->users[2].role, CFG_ROLE_PUBLISHER);
	assert_int_equal(cfg->users[3].role, CFG_ROLE_ADMIN);
	assert_true(cfg->users[3].rate_limit == 0.0);

	cfg_free(cfg);
	cfg_errors_clear(&errors);
}

static void test_sample_config_layers(void **state)
{
	char path[PATH_MAX];
	struct cfg *cfg = NULL;
	struct cfg_errors errors = { 0 };
	(void)state;

	snprintf(path, sizeof(path), "%s/a/vnsdi.yaml", tmp_root);
	assert_int_equal(cfg_load(path, &cfg, &errors), 0);
	assert_int_equal(cfg->n_layers, 8);
	const char *ids[] = { "parcels", "land_use", "land_prices",
			      "legal_documents", "land_statistics",
			      "land_quality", "inspections", "imagery" };
	for (size_t i = 0; i < 8; i++) {
		assert_string_equal(cfg->layers[i].id, ids[i]);
		assert_ptr_equal(cfg_layer_find(cfg, ids[i]), &cfg->layers[i]);
	}
	assert_null(cfg_layer_find(cfg, "nothing"));

	const struct cfg_layer *p = cfg_layer_find(cfg, "parcels");
	assert_int_equal(p->kind, CFG_LAYER_VECTOR);
	assert_string_equal(p->title_vi, "Thửa đất");
	assert_string_equal(p->title_en, "Land parcels");
	assert_string_equal(p->source_layer, "parcels");
	assert_string_equal(p->crs, "EPSG:5897");
	assert_string_equal(p->id_attribute, "MaThua");
	assert_null(p->time_attribute);
	assert_int_equal(p->n_attributes, 9);
	assert_string_equal(p->attributes[5], "KyHieuMucDichSuDung");
	assert_int_equal(p->n_personal, 2);
	assert_string_equal(p->personal[1], "SoGiayTo");
	assert_int_equal(p->n_personal_roles, 3);
	assert_string_equal(p->personal_roles[2], "admin");
	assert_int_equal(p->n_styles, 1);
	assert_string_equal(p->styles[0].name, "default");
	assert_string_equal(p->styles[0].title_vi, "Theo mục đích sử dụng");
	assert_string_equal(p->styles[0].fill_by, "KyHieuMucDichSuDung");
	assert_int_equal(p->styles[0].stroke, 0xB22222FFu);
	assert_true(p->styles[0].stroke_width == 0.8);
	assert_string_equal(p->styles[0].label, "SoThuTuThua");
	assert_string_equal(p->styles[0].label_area, "DienTich");
	assert_int_equal(p->line, 43);
	assert_int_equal(cfg->tiles_cache_max_mb, 512);

	const struct cfg_layer *q = cfg_layer_find(cfg, "land_quality");
	assert_int_equal(q->styles[0].fill, 0x8FBC8F80u);
	assert_null(q->styles[0].fill_by);
	assert_int_equal(q->n_attributes, 0);

	const struct cfg_layer *u = cfg_layer_find(cfg, "land_use");
	assert_string_equal(u->time_attribute, "NgayHieuLuc");

	const struct cfg_layer *img = cfg_layer_find(cfg, "imagery");
	assert_int_equal(img->kind, CFG_LAYER_RASTER);
	assert_int_equal(img->n_scenes, 3);
	assert_non_null(strstr(img->scenes[2].path,
			       "/a/data/imagery/mekong_overview.tif"));
	assert_int_equal(img->n_styles, 1);
	assert_null(img->source);

	cfg_free(cfg);
	cfg_errors_clear(&errors);
}

static void test_defaults(void **state)
{
	char path[PATH_MAX];
	char expect[PATH_MAX];
	struct cfg *cfg = NULL;
	struct cfg_errors errors = { 0 };
	(void)state;

	snprintf(path, sizeof(path), "%s/cases/minimal.yaml", tmp_root);
	write_text(path, "layers:\n"
			 "  - id: parcels\n"
			 "    source: data.gpkg\n"
			 "  - id: remote\n"
			 "    source: \"PG:dbname=land\"\n"
			 "  - id: features\n"
			 "    source: \"OAPIF:https://example.org/ogc\"\n");
	int rc = cfg_load(path, &cfg, &errors);
	if (rc)
		print_errors(&errors);
	assert_int_equal(rc, 0);
	assert_string_equal(cfg->listen_host, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 8080);
	assert_int_equal(cfg->threads, 8);
	assert_int_equal(cfg->limits.max_width, 4096);
	assert_int_equal(cfg->limits.max_height, 4096);
	assert_int_equal(cfg->limits.default_features, 10);
	assert_int_equal(cfg->limits.max_features, 1000);
	assert_int_equal(cfg->limits.request_timeout, 30);
	assert_int_equal(cfg->limits.max_upload, 512LL * 1024 * 1024);
	assert_true(cfg->imagery_max_km2 == 200.0);
	snprintf(expect, sizeof(expect), "%s/cases/var", tmp_root);
	assert_string_equal(cfg->data_dir, expect);

	const char *crs[] = { "EPSG:3857", "EPSG:4326", "CRS:84",
			      "EPSG:4756", "EPSG:3405", "EPSG:3406" };
	assert_int_equal(cfg->n_output_crs, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(cfg->output_crs[i], crs[i]);

	const struct cfg_layer *l = &cfg->layers[0];
	assert_string_equal(l->title_vi, "parcels");
	assert_string_equal(l->abstract_en, "");
	assert_int_equal(l->n_styles, 1);
	assert_string_equal(l->styles[0].name, "default");
	assert_int_equal(l->styles[0].stroke, 0x000000FFu);
	assert_int_equal(l->styles[0].fill, 0);
	snprintf(expect, sizeof(expect), "%s/cases/data.gpkg", tmp_root);
	assert_string_equal(l->source, expect);
	assert_string_equal(cfg->layers[1].source, "PG:dbname=land");
	assert_string_equal(cfg->layers[2].source,
			    "OAPIF:https://example.org/ogc");
	assert_string_equal(cfg->title_vi, "vnsdi");

	cfg_free(cfg);
	cfg_errors_clear(&errors);
}

struct bad_case {
	const char *id;
	const char *yaml;
	int line;                  /* expected line, 0 for none */
	const char *en;            /* fragment of the English text */
	const char *vi;            /* fragment of the Vietnamese text or NULL */
	enum cfg_severity severity;
	bool loads;                /* only warnings: cfg_load succeeds */
};

#define LAYER_OK "layers:\n  - id: parcels\n    source: data.gpkg\n"

static const struct bad_case bad_cases[] = {
	{ "unknown-key",
	  "server:\n  listen: 127.0.0.1:9000\n  thread: 4\n" LAYER_OK, 3,
	  "unknown key \"thread\" in server; allowed keys: listen, threads, "
	  "data_dir, public_url, title, abstract, cors_origins",
	  "khóa không hợp lệ \"thread\" trong server; các khóa được phép: "
	  "listen",
	  CFG_SEVERITY_ERROR, false },
	{ "unknown-top-key", LAYER_OK "layer:\n  - id: x\n", 4,
	  "unknown key \"layer\" in the top level; allowed keys: server, "
	  "limits, output_crs, secrecy, layers, users",
	  "khóa không hợp lệ \"layer\" trong cấp trên cùng",
	  CFG_SEVERITY_ERROR, false },
	{ "duplicate-key", "server:\n  threads: 4\n  threads: 5\n" LAYER_OK, 3,
	  "duplicate key \"threads\" in server (first on line 2)", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "missing-file",
	  "layers:\n  - id: parcels\n    source: data/missing.gpkg\n", 3,
	  "file not found: \"data/missing.gpkg\" for layers[0].source "
	  "(resolved to ",
	  "không tìm thấy tệp \"data/missing.gpkg\" cho layers[0].source",
	  CFG_SEVERITY_ERROR, false },
	{ "missing-scene",
	  "layers:\n  - id: imagery\n    kind: raster\n    scenes:\n"
	  "      - path: img/none.tif\n",
	  5, "file not found: \"img/none.tif\" for layers[0].scenes[0].path",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "missing-restricted-source",
	  "secrecy:\n  restricted_areas:\n    - source: nowhere.gpkg\n"
	  LAYER_OK,
	  3,
	  "file not found: \"nowhere.gpkg\" for "
	  "secrecy.restricted_areas[0].source",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "unknown-crs", LAYER_OK "    crs: EPSG:99999\n", 4,
	  "unknown CRS \"EPSG:99999\" for layers[0].crs; use an EPSG code "
	  "such as EPSG:5897, CRS:84 or a province name",
	  "hệ tọa độ không xác định \"EPSG:99999\" cho layers[0].crs",
	  CFG_SEVERITY_ERROR, false },
	{ "unknown-output-crs", "output_crs: [EPSG:3857, WGS 72]\n" LAYER_OK,
	  1, "unknown CRS \"WGS 72\" for output_crs[1]", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "deprecated-crs", LAYER_OK "    crs: EPSG:6959\n", 4,
	  "layers[0].crs: \"EPSG:6959\" is deprecated by EPSG (false easting "
	  "and false northing swapped); using EPSG:5899 instead",
	  "dùng EPSG:5899 thay thế", CFG_SEVERITY_WARNING, true },
	{ "bad-number", "server:\n  threads: 8x\n" LAYER_OK, 2,
	  "invalid number \"8x\" for server.threads: expected an integer "
	  "from 1 to 1024",
	  "số không hợp lệ \"8x\" cho server.threads", CFG_SEVERITY_ERROR,
	  false },
	{ "number-out-of-range", "limits:\n  max_width: 0\n" LAYER_OK, 2,
	  "invalid number \"0\" for limits.max_width: expected an integer "
	  "from 1 to 65535",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "number-with-space", "limits:\n  max_height: \" 12\"\n" LAYER_OK,
	  2, "invalid number \" 12\" for limits.max_height", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "bad-real", "secrecy:\n  imagery_max_km2: 2OO\n" LAYER_OK, 2,
	  "invalid number \"2OO\" for secrecy.imagery_max_km2: expected a "
	  "number from",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "real-not-a-number", "secrecy:\n  imagery_max_km2: nan\n" LAYER_OK,
	  2, "invalid number \"nan\" for secrecy.imagery_max_km2", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "default-above-max",
	  "limits:\n  max_features: 100\n  default_features: 500\n" LAYER_OK,
	  3,
	  "invalid number \"500\" for limits.default_features: expected an "
	  "integer from 1 to 100",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "bad-listen", "server:\n  listen: localhost\n" LAYER_OK, 2,
	  "invalid listen address \"localhost\" for server.listen: expected "
	  "HOST:PORT",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "duplicate-layer-id", LAYER_OK "  - id: parcels\n    source: "
					 "data.gpkg\n",
	  4, "duplicate layer id \"parcels\" (first defined on line 2)",
	  "mã lớp \"parcels\" bị trùng (đã khai báo ở dòng 2)",
	  CFG_SEVERITY_ERROR, false },
	{ "bad-layer-id",
	  "layers:\n  - id: Thửa_đất\n    source: data.gpkg\n", 2,
	  "invalid layer id \"Thửa_đất\": use only lowercase ASCII letters "
	  "a-z, digits 0-9 and \"_\"",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "missing-layer-id", "layers:\n  - source: data.gpkg\n", 2,
	  "missing required key \"id\" in layers[0]", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "missing-source", "layers:\n  - id: parcels\n    crs: EPSG:5897\n",
	  2, "missing required key \"source\" in layers[0]",
	  "thiếu khóa bắt buộc \"source\" trong layers[0]",
	  CFG_SEVERITY_ERROR, false },
	{ "raster-with-source",
	  "layers:\n  - id: img\n    kind: raster\n    source: data.gpkg\n"
	  "    scenes:\n      - path: data.gpkg\n",
	  4,
	  "layers[0].source applies to vector layers only; a raster layer "
	  "lists its images under scenes",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "bad-kind", LAYER_OK "    kind: tiles\n", 4,
	  "invalid layer kind \"tiles\" for layers[0].kind: expected vector "
	  "or raster",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "bad-encoding", LAYER_OK "    encoding: TCVN-3000\n", 4,
	  "unknown encoding \"TCVN-3000\" for layers[0].encoding", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "layers-not-a-list", "layers:\n  id: parcels\n", 2,
	  "layers must be a list, not a mapping",
	  "layers phải là một danh sách, không phải một ánh xạ (mapping)",
	  CFG_SEVERITY_ERROR, false },
	{ "title-not-a-mapping", LAYER_OK "    title: [a, b]\n", 4,
	  "layers[0].title must be a mapping, not a list", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "personal-not-exposed",
	  LAYER_OK "    attributes: [MaThua, DienTich]\n"
		   "    personal: [TenChu]\n",
	  5,
	  "layers[0].personal names attribute \"TenChu\", which is not in "
	  "the attributes list of layer parcels",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "fill-by-not-exposed",
	  LAYER_OK "    attributes: [MaThua]\n    styles:\n"
		   "      - fill_by: KyHieuMucDichSuDung\n",
	  6,
	  "layers[0].styles[0].fill_by names attribute "
	  "\"KyHieuMucDichSuDung\", which is not in the attributes list of "
	  "layer parcels",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "label-not-exposed",
	  LAYER_OK "    attributes: [MaThua]\n    styles:\n"
		   "      - label: SoThuTuThua\n",
	  6, "layers[0].styles[0].label names attribute \"SoThuTuThua\"",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "label-area-not-exposed",
	  LAYER_OK "    attributes: [MaThua]\n    styles:\n"
		   "      - label: MaThua\n        label_area: DienTich\n",
	  7, "layers[0].styles[0].label_area names attribute \"DienTich\"",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "tiles-unknown-key", LAYER_OK "tiles:\n  cache: public\n", 5,
	  "unknown key \"cache\" in tiles", NULL, CFG_SEVERITY_ERROR, false },
	{ "tiles-cache-control-line-break",
	  LAYER_OK "tiles:\n  cache_control: \"public\\r\\nX-Evil: 1\"\n", 5,
	  "for tiles.cache_control: 1 to 256 printable ASCII characters",
	  "cho tiles.cache_control", CFG_SEVERITY_ERROR, false },
	{ "tiles-cache-max-negative", LAYER_OK "tiles:\n  cache_max_mb: -1\n", 5,
	  "invalid number \"-1\" for tiles.cache_max_mb: expected an integer "
	  "from 0 to 16777216",
	  "cho tiles.cache_max_mb", CFG_SEVERITY_ERROR, false },
	{ "bad-colour", LAYER_OK "    styles:\n      - fill: \"#12345\"\n", 5,
	  "invalid colour \"#12345\" for layers[0].styles[0].fill: expected "
	  "\"#RRGGBB\" or \"#RRGGBBAA\"",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "unquoted-colour",
	  LAYER_OK "    styles:\n      - name: a\n        stroke: #B22222\n",
	  6,
	  "layers[0].styles[0].stroke is empty; quote the colour, as in "
	  "\"#B22222\", because # starts a YAML comment",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "duplicate-style",
	  LAYER_OK "    styles:\n      - name: a\n      - name: a\n", 6,
	  "duplicate style name \"a\" in layers[0].styles", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "bad-personal-role",
	  LAYER_OK "    personal: [TenChu]\n    personal_roles: [root]\n", 5,
	  "unknown role \"root\" in layers[0].personal_roles", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "bad-role",
	  LAYER_OK "users:\n  - name: x\n    role: root\n    token_sha256: "
		   "1dadeac5e7b1c964057e5bafb6559b2499c58f18f4ae1db70ab9ca6af9"
		   "1adbab\n",
	  6,
	  "unknown role \"root\" for users[0].role; allowed roles: "
	  "anonymous, partner, planner, publisher, admin",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "bad-token",
	  LAYER_OK "users:\n  - name: x\n    role: admin\n"
		   "    token_sha256: abc\n",
	  7,
	  "invalid users[0].token_sha256: expected exactly 64 hexadecimal "
	  "digits (the SHA-256 of the token), got 3 characters",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "missing-token", LAYER_OK "users:\n  - name: x\n    role: admin\n",
	  5, "missing required key \"token_sha256\" in users[0]", NULL,
	  CFG_SEVERITY_ERROR, false },
	{ "yaml-syntax", "server:\n  threads: 8\n    listen: x\n" LAYER_OK, 3,
	  "YAML syntax error: mapping values are not allowed in this context",
	  "lỗi cú pháp YAML: mapping values are not allowed",
	  CFG_SEVERITY_ERROR, false },
	{ "yaml-unclosed-list",
	  "layers:\n  - id: parcels\n    attributes: [a, b\n"
	  "    source: data.gpkg\n",
	  4,
	  "YAML syntax error: did not find expected ',' or ']' while parsing "
	  "a flow sequence (started on line 3)",
	  NULL, CFG_SEVERITY_ERROR, false },
	{ "empty-file", "", 0, "the config file is empty",
	  "tệp cấu hình trống", CFG_SEVERITY_ERROR, false },
	{ "no-layers", "server:\n  threads: 2\n", 1,
	  "missing required key \"layers\": at least one layer is needed",
	  NULL, CFG_SEVERITY_ERROR, false },
};

/* True when an entry matches the case's line, texts and severity. */
static bool bad_case_found(const struct bad_case *c,
			   const struct cfg_errors *errors)
{
	for (size_t i = 0; i < errors->count; i++) {
		const struct cfg_error *e = &errors->items[i];
		const char *en = e->message_en ? e->message_en : e->message;
		if (e->line == c->line && e->severity == c->severity &&
		    strstr(en, c->en) && (!c->vi || strstr(e->message, c->vi)))
			return true;
	}
	return false;
}

static void test_bad_configs(void **state)
{
	int failures = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char path[PATH_MAX];
		char name[128];
		struct cfg *cfg = NULL;
		struct cfg_errors errors = { 0 };

		snprintf(name, sizeof(name), "cases/%s.yaml", c->id);
		path_join(path, sizeof(path), tmp_root, name);
		write_text(path, c->yaml);
		int rc = cfg_load(path, &cfg, &errors);
		bool ok = (rc == 0) == c->loads && (cfg != NULL) == c->loads &&
			  bad_case_found(c, &errors);
		if (!ok) {
			failures++;
			fprintf(stderr,
				"case %s\n--- input\n%s--- expected (rc %d) "
				"line %d: %s\n--- obtained (rc %d):\n",
				c->id, c->yaml, c->loads ? 0 : -1, c->line,
				c->en, rc);
			print_errors(&errors);
		}
		if (cfg && !strcmp(c->id, "deprecated-crs"))
			assert_string_equal(cfg->layers[0].crs, "EPSG:5899");
		cfg_free(cfg);
		cfg_errors_clear(&errors);
	}
	assert_int_equal(failures, 0);
}

static void test_missing_config_file(void **state)
{
	char path[PATH_MAX];
	struct cfg *cfg = (struct cfg *)&cfg;
	struct cfg_errors errors = { 0 };
	(void)state;

	path_join(path, sizeof(path), tmp_root, "cases/absent.yaml");
	assert_int_equal(cfg_load(path, &cfg, &errors), -1);
	assert_null(cfg);
	assert_int_equal(errors.count, 1);
	assert_int_equal(errors.items[0].line, 0);
	assert_string_equal(errors.items[0].file, path);
	assert_string_equal(errors.items[0].message_en,
			    "cannot open the config file: No such file or "
			    "directory");
	cfg_errors_clear(&errors);
}

/* Every problem is reported, sorted by line. */
static void test_all_problems_reported(void **state)
{
	char path[PATH_MAX];
	struct cfg *cfg = NULL;
	struct cfg_errors errors = { 0 };
	(void)state;

	path_join(path, sizeof(path), tmp_root, "cases/many.yaml");
	write_text(path, "server:\n"
			 "  threads: -1\n"
			 "  colour: red\n"
			 "layers:\n"
			 "  - id: parcels\n"
			 "    source: data.gpkg\n"
			 "    crs: EPSG:6958\n"
			 "  - id: parcels\n"
			 "    source: gone.gpkg\n"
			 "    crs: Mars\n");
	assert_int_equal(cfg_load(path, &cfg, &errors), -1);
	const int lines[] = { 2, 3, 7, 8, 9, 10 };
	const enum cfg_severity sev[] = {
		CFG_SEVERITY_ERROR, CFG_SEVERITY_ERROR, CFG_SEVERITY_WARNING,
		CFG_SEVERITY_ERROR, CFG_SEVERITY_ERROR, CFG_SEVERITY_ERROR
	};
	if (errors.count != 6)
		print_errors(&errors);
	assert_int_equal(errors.count, 6);
	assert_int_equal(errors.n_warnings, 1);
	assert_int_equal(cfg_errors_count(&errors), 5);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(errors.items[i].line, lines[i]);
		assert_int_equal(errors.items[i].severity, sev[i]);
	}
	cfg_errors_clear(&errors);
}

static void test_errors_print_format(void **state)
{
	char path[256];
	char expect[1024];
	char *text = NULL;
	size_t size = 0;
	struct cfg *cfg = NULL;
	struct cfg_errors errors = { 0 };
	(void)state;

	path_join(path, sizeof(path), tmp_root, "cases/print.yaml");
	write_text(path, LAYER_OK "    crs: EPSG:6956\n    kind: x\n");
	assert_int_equal(cfg_load(path, &cfg, &errors), -1);

	FILE *f = open_memstream(&text, &size);
	assert_non_null(f);
	cfg_errors_print_lang(&errors, f, true);
	fclose(f);
	snprintf(expect, sizeof(expect),
		 "%s:4: warning: layers[0].crs: \"EPSG:6956\" is deprecated "
		 "by EPSG (false easting and false northing swapped); using "
		 "EPSG:5896 instead\n"
		 "%s:5: invalid layer kind \"x\" for layers[0].kind: expected "
		 "vector or raster\n",
		 path, path);
	assert_string_equal(text, expect);
	free(text);

	f = open_memstream(&text, &size);
	assert_non_null(f);
	cfg_errors_print_lang(&errors, f, false);
	fclose(f);
	snprintf(expect, sizeof(expect), "%s:4: cảnh báo: layers[0].crs: ",
		 path);
	assert_memory_equal(text, expect, strlen(expect));
	free(text);
	cfg_errors_clear(&errors);
}

static void test_roles(void **state)
{
	enum cfg_role role;
	(void)state;
	assert_string_equal(cfg_role_name(CFG_ROLE_PUBLISHER), "publisher");
	assert_int_equal(cfg_role_parse("planner", &role), 0);
	assert_int_equal(role, CFG_ROLE_PLANNER);
	assert_int_equal(cfg_role_parse("Planner", &role), -1);
}

static bool files_equal(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb");
	FILE *fb = fopen(b, "rb");
	bool same = fa && fb;
	while (same) {
		int ca = fgetc(fa);
		int cb = fgetc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Same WKB geometry (or both empty). */
static bool geometry_same(OGRGeometryH a, OGRGeometryH b)
{
	if (!a || !b)
		return !a && !b;
	int size = OGR_G_WkbSize(a);
	if (size != OGR_G_WkbSize(b))
		return false;
	unsigned char *wa = malloc((size_t)size);
	unsigned char *wb = malloc((size_t)size);
	bool same = wa && wb &&
		    OGR_G_ExportToIsoWkb(a, wkbNDR, wa) == OGRERR_NONE &&
		    OGR_G_ExportToIsoWkb(b, wkbNDR, wb) == OGRERR_NONE &&
		    memcmp(wa, wb, (size_t)size) == 0;
	free(wa);
	free(wb);
	return same;
}

/*
 * Same FID, field values and geometry. OGR_F_Equal cannot be used: it
 * also requires the two features to share one layer definition.
 */
static bool feature_same(OGRFeatureH a, OGRFeatureH b)
{
	int n = OGR_F_GetFieldCount(a);
	if (n != OGR_F_GetFieldCount(b) || OGR_F_GetFID(a) != OGR_F_GetFID(b))
		return false;
	for (int i = 0; i < n; i++) {
		if (OGR_F_IsFieldSetAndNotNull(a, i) !=
		    OGR_F_IsFieldSetAndNotNull(b, i))
			return false;
		if (strcmp(OGR_F_GetFieldAsString(a, i),
			   OGR_F_GetFieldAsString(b, i)))
			return false;
	}
	return geometry_same(OGR_F_GetGeometryRef(a), OGR_F_GetGeometryRef(b));
}

/* Two runs of the generator write the same features, layer by layer. */
static void test_samplegen_deterministic(void **state)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	(void)state;

	snprintf(pa, sizeof(pa), "%s/a/data/cantho_sample.gpkg", tmp_root);
	snprintf(pb, sizeof(pb), "%s/b/data/cantho_sample.gpkg", tmp_root);
	GDALDatasetH a = GDALOpenEx(pa, GDAL_OF_VECTOR, NULL, NULL, NULL);
	GDALDatasetH b = GDALOpenEx(pb, GDAL_OF_VECTOR, NULL, NULL, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(GDALDatasetGetLayerCount(a), 8);
	assert_int_equal(GDALDatasetGetLayerCount(b), 8);

	for (int i = 0; i < 8; i++) {
		OGRLayerH la = GDALDatasetGetLayer(a, i);
		OGRLayerH lb = GDALDatasetGetLayerByName(b, OGR_L_GetName(la));
		assert_non_null(lb);
		assert_int_equal(OGR_L_GetFeatureCount(la, TRUE),
				 OGR_L_GetFeatureCount(lb, TRUE));
		OGR_L_ResetReading(la);
		OGR_L_ResetReading(lb);
		OGRFeatureH fa, fb;
		long n = 0;
		while ((fa = OGR_L_GetNextFeature(la))) {
			fb = OGR_L_GetNextFeature(lb);
			assert_non_null(fb);
			if (!feature_same(fa, fb))
				fail_msg("layer %s feature %lld differs",
					 OGR_L_GetName(la),
					 (long long)OGR_F_GetFID(fa));
			OGR_F_Destroy(fa);
			OGR_F_Destroy(fb);
			n++;
		}
		assert_true(n > 0);
	}
	GDALClose(a);
	GDALClose(b);

	const char *tifs[] = { "ninhkieu_ortho_a.tif", "ninhkieu_ortho_b.tif",
			       "mekong_overview.tif" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(pa, sizeof(pa), "%s/a/data/imagery/%s", tmp_root,
			 tifs[i]);
		snprintf(pb, sizeof(pb), "%s/b/data/imagery/%s", tmp_root,
			 tifs[i]);
		if (!files_equal(pa, pb))
			fail_msg("%s differs between two runs", tifs[i]);
	}
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* What the sample promises: counts, shapes, areas, text and size. */
static void test_samplegen_content(void **state)
{
	char path[PATH_MAX];
	(void)state;

	snprintf(path, sizeof(path), "%s/a/data/cantho_sample.gpkg", tmp_root);
	long long total = file_size(path);
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
	assert_non_null(ds);
	OGRLayerH parcels = GDALDatasetGetLayerByName(ds, "parcels");
	assert_non_null(parcels);
	assert_true(OGR_L_GetFeatureCount(parcels, TRUE) > 2000);

	int multi = 0, holes = 0, address_ok = 0;
	double worst = 0.0;
	OGRFeatureH f;
	OGR_L_ResetReading(parcels);
	while ((f = OGR_L_GetNextFeature(parcels))) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
		if (t == wkbMultiPolygon)
			multi++;
		else if (OGR_G_GetGeometryCount(g) > 1)
			holes++;
		/* DienTich is geodesic: within 0.2 % + 0.1 m² of planar. */
		double planar = OGR_G_Area(g);
		double stated = OGR_F_GetFieldAsDouble(
			f, OGR_F_GetFieldIndex(f, "DienTich"));
		double err = fabs(stated - planar) - 0.1 - 0.002 * planar;
		if (err > worst)
			worst = err;
		const char *addr = OGR_F_GetFieldAsString(
			f, OGR_F_GetFieldIndex(f, "DiaChi"));
		if (strstr(addr, ", Quận Ninh Kiều, Thành phố Cần Thơ"))
			address_ok++;
		OGR_F_Destroy(f);
	}
	assert_true(multi >= 3);
	assert_true(holes >= 3);
	assert_true(worst <= 0.0);
	assert_int_equal(address_ok, OGR_L_GetFeatureCount(parcels, TRUE));

	OGRLayerH r = GDALDatasetGetLayerByName(ds, "restricted_areas");
	assert_non_null(r);
	assert_int_equal(OGR_L_GetFeatureCount(r, TRUE), 1);
	f = OGR_L_GetNextFeature(r);
	assert_string_equal(OGR_F_GetFieldAsString(f, 0),
			    "Khu vực quân sự (mẫu)");
	OGREnvelope restricted_box;
	OGR_G_GetEnvelope(OGR_F_GetGeometryRef(f), &restricted_box);
	OGR_L_SetSpatialFilter(parcels, OGR_F_GetGeometryRef(f));
	int covered = 0;
	OGRFeatureH p;
	while ((p = OGR_L_GetNextFeature(parcels))) {
		if (OGR_G_Intersects(OGR_F_GetGeometryRef(p),
				     OGR_F_GetGeometryRef(f)))
			covered++;
		OGR_F_Destroy(p);
	}
	OGR_F_Destroy(f);
	assert_true(covered >= 2 && covered <= 20);
	GDALClose(ds);

	/* The overview scene must exceed the 200 km² secrecy limit. */
	snprintf(path, sizeof(path), "%s/a/data/imagery/mekong_overview.tif",
		 tmp_root);
	total += file_size(path);
	GDALDatasetH img = GDALOpen(path, GA_ReadOnly);
	double gt[6];
	assert_non_null(img);
	assert_int_equal(GDALGetGeoTransform(img, gt), CE_None);
	double km2 = GDALGetRasterXSize(img) * gt[1] *
		     GDALGetRasterYSize(img) * -gt[5] / 1e6;
	assert_true(km2 > 200.0);
	GDALClose(img);

	/* Orthoimages stay clear of the restricted area, or none is served. */
	const char *orthos[] = { "ninhkieu_ortho_a.tif",
				 "ninhkieu_ortho_b.tif" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/a/data/imagery/%s", tmp_root,
			 orthos[i]);
		total += file_size(path);
		img = GDALOpen(path, GA_ReadOnly);
		assert_non_null(img);
		assert_int_equal(GDALGetRasterCount(img), 3);
		assert_true(GDALGetOverviewCount(GDALGetRasterBand(img, 1)) >=
			    2);
		assert_int_equal(GDALGetGeoTransform(img, gt), CE_None);
		double e1 = gt[0] + GDALGetRasterXSize(img) * gt[1];
		double n0 = gt[3] + GDALGetRasterYSize(img) * gt[5];
		bool clear = e1 < restricted_box.MinX ||
			     gt[0] > restricted_box.MaxX ||
			     gt[3] < restricted_box.MinY ||
			     n0 > restricted_box.MaxY;
		if (!clear)
			fail_msg("%s overlaps the restricted area", orthos[i]);
		GDALClose(img);
	}
	assert_true(total > 0 && total < 20LL * 1024 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_config_loads),
		cmocka_unit_test(test_sample_config_layers),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_missing_config_file),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_errors_print_format),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_samplegen_deterministic),
		cmocka_unit_test(test_samplegen_content),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
