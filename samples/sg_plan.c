/*
 * The sample's town plan: a street grid, the blocks between the streets and
 * the parcels. Each block holds two rows of house lots facing the streets
 * and larger parcels inside, some with a hole or in two parts. Each street
 * segment is one road parcel.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/samplegen.h"

#define SG_STREETS_MAX 32
#define SG_PARCELS_MAX 100000
#define SG_CUTS_MAX 256
#define SG_SHEET_SIZE 250.0   /* metres: one 1:500 cadastral sheet */
#define SG_MAIN_WIDTH 24.0    /* streets this wide are main streets */

/* True for the main streets: the wide ones that take the first names. */
static bool sg_is_main(size_t index, bool along_u)
{
	return along_u ? index == 2 || index == 6 : index == 3 || index == 8;
}

/*
 * Place streets from -SG_HALF_SIZE to +SG_HALF_SIZE with gaps drawn from
 * [gap_lo, gap_hi], and name them. Main streets take the first six names
 * and the others the rest. next_name counts the names used of each kind.
 */
static int sg_streets_place(struct sg_rng *rng, double gap_lo, double gap_hi,
			    bool along_u, size_t next_name[2], double **pos,
			    double **width, const char ***names, size_t *n)
{
	double *p = calloc(SG_STREETS_MAX, sizeof(*p));
	double *w = calloc(SG_STREETS_MAX, sizeof(*w));
	const char **nm = calloc(SG_STREETS_MAX, sizeof(*nm));
	size_t count = 0;

	if (!p || !w || !nm) {
		free(p);
		free(w);
		free(nm);
		return -1;
	}
	p[count++] = -SG_HALF_SIZE;
	while (count < SG_STREETS_MAX) {
		double next = p[count - 1] + sg_rng_uniform(rng, gap_lo, gap_hi);
		if (next > SG_HALF_SIZE - 0.6 * gap_lo) {
			p[count++] = SG_HALF_SIZE;
			break;
		}
		p[count++] = next;
	}
	for (size_t i = 0; i < count; i++) {
		bool main_street = sg_is_main(i, along_u);
		w[i] = main_street ? sg_rng_uniform(rng, SG_MAIN_WIDTH, 30.0)
				   : sg_rng_uniform(rng, 12.0, 18.0);
		w[i] = round(w[i] * 2.0) / 2.0;
		nm[i] = main_street ? sg_street_name(next_name[0]++)
				    : sg_street_name(6 + next_name[1]++);
	}
	*pos = p;
	*width = w;
	*names = nm;
	*n = count;
	return 0;
}

int sg_plan_ward_at(const struct sg_plan *plan, double u, double v)
{
	int col = 0;
	if (u > plan->street_u[plan->ward_split_u[0]])
		col = 1;
	if (u > plan->street_u[plan->ward_split_u[1]])
		col = 2;
	int row = v > plan->street_v[plan->ward_split_v] ? 0 : 1;
	return row * 3 + col;
}

struct sg_rect sg_plan_ward_rect(const struct sg_plan *plan, int ward)
{
	int col = ward % 3;
	int row = ward / 3;
	double us[4] = { plan->world.u0, plan->street_u[plan->ward_split_u[0]],
			 plan->street_u[plan->ward_split_u[1]],
			 plan->world.u1 };
	struct sg_rect r = { us[col], plan->world.v0, us[col + 1],
			     plan->world.v1 };
	if (row == 0)
		r.v0 = plan->street_v[plan->ward_split_v];
	else
		r.v1 = plan->street_v[plan->ward_split_v];
	return r;
}

/* Append a parcel; takes over geom. Returns it, or NULL when full. */
static struct sg_parcel *sg_parcel_add(struct sg_plan *plan,
				       OGRGeometryH geom, const char *use,
				       int block)
{
	if (plan->n_parcels == plan->cap_parcels) {
		size_t cap = plan->cap_parcels ? plan->cap_parcels * 2 : 1024;
		struct sg_parcel *p = NULL;
		if (cap <= SG_PARCELS_MAX)
			p = realloc(plan->parcels, cap * sizeof(*p));
		if (!p) {
			OGR_G_DestroyGeometry(geom);
			return NULL;
		}
		plan->parcels = p;
		plan->cap_parcels = cap;
	}
	struct sg_parcel *parcel = &plan->parcels[plan->n_parcels++];
	memset(parcel, 0, sizeof(*parcel));
	parcel->geom = geom;
	parcel->block = block;
	snprintf(parcel->use, sizeof(parcel->use), "%s", use);
	return parcel;
}

/* Address and owner of a parcel at local point (u, v). */
static void sg_parcel_describe(struct sg_plan *plan, struct sg_rng *rng,
			       struct sg_parcel *p, double u, double v,
			       const char *number, const char *street)
{
	p->cu = u;
	p->cv = v;
	p->ward = sg_plan_ward_at(plan, u, v);
	const char *ward = sg_wards[p->ward].name;
	if (number)
		snprintf(p->address, sizeof(p->address),
			 "Số %s đường %s, Phường %s, Quận Ninh Kiều, "
			 "Thành phố Cần Thơ",
			 number, street, ward);
	else
		snprintf(p->address, sizeof(p->address),
			 "Đường %s, Phường %s, Quận Ninh Kiều, "
			 "Thành phố Cần Thơ",
			 street, ward);
	sg_owner_name(rng, p->use, ward, p->owner, sizeof(p->owner));
}

/*
 * Cut [u0, u1] into pieces of width [lo, hi]; a last piece narrower than
 * lo / 2 is merged into the one before. Returns the number of cuts,
 * cuts[0] = u0 and cuts[n - 1] = u1.
 */
static size_t sg_cut(struct sg_rng *rng, double u0, double u1, double lo,
		     double hi, double *cuts)
{
	size_t n = 0;
	cuts[n++] = u0;
	while (n < SG_CUTS_MAX - 1) {
		double next = cuts[n - 1] + sg_rng_uniform(rng, lo, hi);
		if (next > u1 - lo / 2)
			break;
		cuts[n++] = next;
	}
	cuts[n++] = u1;
	return n;
}

/* Shift each inner cut at both ends by up to `jitter` metres. */
static void sg_jitter(struct sg_rng *rng, size_t n, double jitter,
		      double *front, double *back)
{
	for (size_t i = 0; i < n; i++) {
		bool end = i == 0 || i == n - 1;
		front[i] = end ? 0.0 : sg_rng_uniform(rng, -jitter, jitter);
		back[i] = end ? 0.0 : sg_rng_uniform(rng, -jitter, jitter);
	}
}

static const char *sg_front_use(struct sg_rng *rng, bool main_street)
{
	double r = sg_rng_uniform(rng, 0.0, 1.0);
	double tmd = main_street ? 0.35 : 0.10;
	if (r < tmd)
		return "TMD";
	if (r < tmd + 0.05)
		return "ODT+CLN";
	if (r < tmd + 0.07)
		return "SKC";
	if (r < tmd + 0.08)
		return "ONT";
	return "ODT";
}

struct sg_row {
	double u0, u1;         /* along the street */
	double front, back;    /* v of the street edge and of the back line */
	size_t street;         /* index of the v street it faces */
	bool north_side;       /* lots north of their street: even numbers */
};

/* House lots of one row, numbered along their street. */
static int sg_row_build(struct sg_plan *plan, struct sg_rng *rng,
			const struct sg_row *row, int block, int *numbers)
{
	double cuts[SG_CUTS_MAX], jf[SG_CUTS_MAX], jb[SG_CUTS_MAX];
	bool main_street = plan->width_v[row->street] >= SG_MAIN_WIDTH;
	size_t n = sg_cut(rng, row->u0, row->u1, 4.5, 10.0, cuts);
	sg_jitter(rng, n, 0.8, jf, jb);

	for (size_t k = 0; k + 1 < n; k++) {
		double uv[8];
		bool top = !row->north_side;
		double fa = cuts[k] + jf[k], fb = cuts[k + 1] + jf[k + 1];
		double ba = cuts[k] + jb[k], bb = cuts[k + 1] + jb[k + 1];
		if (top) {
			double q[8] = { ba, row->back, bb, row->back,
					fb, row->front, fa, row->front };
			memcpy(uv, q, sizeof(uv));
		} else {
			double q[8] = { fa, row->front, fb, row->front,
					bb, row->back, ba, row->back };
			memcpy(uv, q, sizeof(uv));
		}
		struct sg_parcel *p = sg_parcel_add(
			plan, sg_quad_new(uv), sg_front_use(rng, main_street),
			block);
		if (!p)
			return -1;

		char number[16];
		int *counter = &numbers[2 * row->street + row->north_side];
		*counter += sg_rng_chance(rng, 0.1) ? 4 : 2;
		snprintf(number, sizeof(number), "%d", *counter);
		sg_parcel_describe(plan, rng, p, (fa + fb) / 2,
				   (row->front + row->back) / 2, number,
				   plan->name_v[row->street]);
	}
	return 0;
}

static const char *sg_inner_use(struct sg_rng *rng)
{
	static const struct {
		const char *code;
		double weight;
	} uses[] = {
		{ "CLN", 0.30 }, { "ODT+CLN", 0.14 }, { "NTS", 0.10 },
		{ "DGD", 0.07 }, { "TON", 0.04 },     { "SKC", 0.08 },
		{ "TMD", 0.08 }, { "LUK", 0.05 },     { "DYT", 0.03 },
		{ "DVH", 0.03 }, { "ODT", 0.06 },     { "ONT", 0.02 },
	};
	double r = sg_rng_uniform(rng, 0.0, 1.0);
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		if (r < uses[i].weight)
			return uses[i].code;
		r -= uses[i].weight;
	}
	return "CLN";
}

/* A quadrilateral with a square hole; the hole is returned in *hole. */
static OGRGeometryH sg_quad_with_hole(struct sg_rng *rng, const double uv[8],
				      struct sg_rect *hole)
{
	double cu = (uv[0] + uv[2] + uv[4] + uv[6]) / 4;
	double cv = (uv[1] + uv[3] + uv[5] + uv[7]) / 4;
	double s = sg_rng_uniform(rng, 9.0, 14.0);
	cu += sg_rng_uniform(rng, -3.0, 3.0);
	cv += sg_rng_uniform(rng, -3.0, 3.0);
	*hole = (struct sg_rect){ cu - s / 2, cv - s / 2, cu + s / 2,
				  cv + s / 2 };

	double cw[8] = { hole->u0, hole->v0, hole->u0, hole->v1,
			 hole->u1, hole->v1, hole->u1, hole->v0 };
	OGRGeometryH poly = sg_quad_new(uv);
	OGR_G_AddGeometryDirectly(poly, sg_ring_new(cw, 4));
	return poly;
}

/* The inner pieces of a block; street is the v street below it. */
static int sg_inner_build(struct sg_plan *plan, struct sg_rng *rng,
			  const struct sg_rect *in, int block, size_t street,
			  int house)
{
	double cuts[SG_CUTS_MAX], jt[SG_CUTS_MAX], jb[SG_CUTS_MAX];
	size_t n = sg_cut(rng, in->u0, in->u1, 25.0, 70.0, cuts);
	size_t pieces = n - 1;
	sg_jitter(rng, n, 1.5, jt, jb);

	/* Some blocks have one parcel in two parts around a neighbour. */
	long multi = -1;
	if (pieces >= 4 && sg_rng_chance(rng, 0.15))
		multi = sg_rng_int(rng, 0, (int)pieces - 3);

	int k = 0;
	for (size_t i = 0; i < pieces; i++) {
		if (multi >= 0 && (long)i == multi + 2)
			continue;
		double uv[8] = { cuts[i] + jb[i], in->v0,
				 cuts[i + 1] + jb[i + 1], in->v0,
				 cuts[i + 1] + jt[i + 1], in->v1,
				 cuts[i] + jt[i], in->v1 };
		const char *use = sg_inner_use(rng);
		OGRGeometryH geom;
		struct sg_rect hole = { 0, 0, 0, 0 };
		bool has_hole = false;
		if ((long)i == multi) {
			double uv2[8] = { cuts[i + 2] + jb[i + 2], in->v0,
					  cuts[i + 3] + jb[i + 3], in->v0,
					  cuts[i + 3] + jt[i + 3], in->v1,
					  cuts[i + 2] + jt[i + 2], in->v1 };
			geom = OGR_G_CreateGeometry(wkbMultiPolygon);
			OGR_G_AddGeometryDirectly(geom, sg_quad_new(uv));
			OGR_G_AddGeometryDirectly(geom, sg_quad_new(uv2));
		} else if (cuts[i + 1] - cuts[i] >= 30.0 &&
			   in->v1 - in->v0 >= 36.0 && sg_rng_chance(rng, 0.25)) {
			geom = sg_quad_with_hole(rng, uv, &hole);
			has_hole = true;
		} else {
			geom = sg_quad_new(uv);
		}

		struct sg_parcel *p = sg_parcel_add(plan, geom, use, block);
		char number[24];
		if (!p)
			return -1;
		snprintf(number, sizeof(number), "%d/%d", house, ++k);
		sg_parcel_describe(plan, rng, p, (cuts[i] + cuts[i + 1]) / 2,
				   (in->v0 + in->v1) / 2, number,
				   plan->name_v[street]);
		if (!has_hole)
			continue;

		/* The house inside the hole is a parcel of its own. */
		p = sg_parcel_add(plan, sg_rect_polygon_new(&hole, NULL, 0),
				  "ODT", block);
		if (!p)
			return -1;
		snprintf(number, sizeof(number), "%d/%d", house, ++k);
		sg_parcel_describe(plan, rng, p, (hole.u0 + hole.u1) / 2,
				   (hole.v0 + hole.v1) / 2, number,
				   plan->name_v[street]);
	}
	return 0;
}

static int sg_block_build(struct sg_plan *plan, struct sg_rng *rng,
			  size_t bi, size_t bj, int *numbers)
{
	int block = (int)(bj * (plan->n_u - 1) + bi);
	const struct sg_rect *b = &plan->blocks[block];
	double h = b->v1 - b->v0;
	double depth = fmin(sg_rng_uniform(rng, 20.0, 32.0), h / 3.2);

	struct sg_row bottom = { b->u0, b->u1, b->v0, b->v0 + depth, bj, true };
	struct sg_row top = { b->u0, b->u1, b->v1, b->v1 - depth, bj + 1,
			      false };
	if (sg_row_build(plan, rng, &bottom, block, numbers) < 0 ||
	    sg_row_build(plan, rng, &top, block, numbers) < 0)
		return -1;

	struct sg_rect in = { b->u0, b->v0 + depth, b->u1, b->v1 - depth };
	if (bi == (plan->n_u - 1) / 2 && bj == (plan->n_v - 1) / 2) {
		/* The restricted area lies inside this block's inner strip. */
		double w = in.u1 - in.u0;
		plan->restricted = (struct sg_rect){
			round(in.u0 + 0.15 * w), in.v0 + 3.0,
			round(in.u0 + 0.80 * w), in.v1 - 3.0
		};
	}
	return sg_inner_build(plan, rng, &in, block, bj, numbers[2 * bj + 1]);
}

static int sg_road_add(struct sg_plan *plan, struct sg_rng *rng,
		       const struct sg_rect *r, const char *street)
{
	struct sg_parcel *p =
		sg_parcel_add(plan, sg_rect_polygon_new(r, NULL, 0), "DGT", -1);
	if (!p)
		return -1;
	sg_parcel_describe(plan, rng, p, (r->u0 + r->u1) / 2,
			   (r->v0 + r->v1) / 2, NULL, street);
	return 0;
}

/*
 * One road parcel per street segment. Crossings belong to the u street
 * segment above them, so the roads and blocks tile the world exactly.
 */
static int sg_roads_build(struct sg_plan *plan, struct sg_rng *rng)
{
	const double *su = plan->street_u, *wu = plan->width_u;
	const double *sv = plan->street_v, *wv = plan->width_v;

	for (size_t j = 0; j < plan->n_v; j++)
		for (size_t i = 0; i + 1 < plan->n_u; i++) {
			struct sg_rect r = { su[i] + wu[i] / 2, sv[j] - wv[j] / 2,
					     su[i + 1] - wu[i + 1] / 2,
					     sv[j] + wv[j] / 2 };
			if (sg_road_add(plan, rng, &r, plan->name_v[j]) < 0)
				return -1;
		}
	for (size_t i = 0; i < plan->n_u; i++)
		for (size_t j = 0; j + 1 < plan->n_v; j++) {
			bool last = j + 2 == plan->n_v;
			struct sg_rect r = {
				su[i] - wu[i] / 2, sv[j] - wv[j] / 2,
				su[i] + wu[i] / 2,
				last ? sv[j + 1] + wv[j + 1] / 2
				     : sv[j + 1] - wv[j + 1] / 2
			};
			if (sg_road_add(plan, rng, &r, plan->name_u[i]) < 0)
				return -1;
		}
	return 0;
}

/* Map sheet and parcel number within the sheet, by ward. */
static int sg_number_parcels(struct sg_plan *plan)
{
	enum { SHEETS_MAX = 256 };
	int counts[6][SHEETS_MAX];
	memset(counts, 0, sizeof(counts));

	for (size_t i = 0; i < plan->n_parcels; i++) {
		struct sg_parcel *p = &plan->parcels[i];
		struct sg_rect r = sg_plan_ward_rect(plan, p->ward);
		int cols = (int)ceil((r.u1 - r.u0) / SG_SHEET_SIZE);
		int col = (int)floor((p->cu - r.u0) / SG_SHEET_SIZE);
		int row = (int)floor((r.v1 - p->cv) / SG_SHEET_SIZE);
		int sheet = row * cols + col + 1;
		if (sheet < 1 || sheet >= SHEETS_MAX) {
			fprintf(stderr, "samplegen: sheet %d out of range\n",
				sheet);
			return -1;
		}
		p->id = (int64_t)i + 1;
		p->sheet = sheet;
		p->number = ++counts[p->ward][sheet];
	}
	return 0;
}

/* Certificates and DienTich. */
static int sg_register_parcels(struct sg_plan *plan, struct sg_rng *rng)
{
	int serial = 1200;
	for (size_t i = 0; i < plan->n_parcels; i++) {
		struct sg_parcel *p = &plan->parcels[i];
		double area = sg_geodesic_area(p->geom);
		if (!isfinite(area) || area <= 0.0) {
			fprintf(stderr,
				"samplegen: geodesic area of parcel %lld "
				"failed; is the vn2000 module complete?\n",
				(long long)p->id);
			return -1;
		}
		p->area = round(area * 10.0) / 10.0;

		/* Roads get no certificate; a few parcels are not issued. */
		serial += sg_rng_int(rng, 1, 3);
		if (strcmp(p->use, "DGT") && !sg_rng_chance(rng, 0.04))
			snprintf(p->certificate, sizeof(p->certificate),
				 "CS %05d", serial);
	}
	return 0;
}

static int sg_blocks_build(struct sg_plan *plan, struct sg_rng *rng)
{
	size_t nu = plan->n_u - 1, nv = plan->n_v - 1;
	int numbers[2 * SG_STREETS_MAX];

	/* South sides of streets take odd numbers, north sides even. */
	for (size_t j = 0; j < plan->n_v; j++) {
		numbers[2 * j] = -1;
		numbers[2 * j + 1] = 0;
	}
	plan->n_blocks = nu * nv;
	plan->blocks = calloc(plan->n_blocks, sizeof(*plan->blocks));
	if (!plan->blocks)
		return -1;
	for (size_t j = 0; j < nv; j++)
		for (size_t i = 0; i < nu; i++)
			plan->blocks[j * nu + i] = (struct sg_rect){
				plan->street_u[i] + plan->width_u[i] / 2,
				plan->street_v[j] + plan->width_v[j] / 2,
				plan->street_u[i + 1] - plan->width_u[i + 1] / 2,
				plan->street_v[j + 1] - plan->width_v[j + 1] / 2
			};
	for (size_t j = 0; j < nv; j++)
		for (size_t i = 0; i < nu; i++)
			if (sg_block_build(plan, rng, i, j, numbers) < 0)
				return -1;
	return 0;
}

int sg_plan_build(struct sg_plan *plan)
{
	struct sg_rng rng;
	size_t next_name[2] = { 0, 0 };  /* main and other streets */

	memset(plan, 0, sizeof(*plan));
	sg_rng_seed(&rng, 0x5EED0C7A2015ull);
	if (sg_streets_place(&rng, 170.0, 260.0, true, next_name,
			     &plan->street_u, &plan->width_u, &plan->name_u,
			     &plan->n_u) < 0 ||
	    sg_streets_place(&rng, 130.0, 210.0, false, next_name,
			     &plan->street_v, &plan->width_v, &plan->name_v,
			     &plan->n_v) < 0)
		return -1;

	plan->world = (struct sg_rect){
		plan->street_u[0] - plan->width_u[0] / 2,
		plan->street_v[0] - plan->width_v[0] / 2,
		plan->street_u[plan->n_u - 1] + plan->width_u[plan->n_u - 1] / 2,
		plan->street_v[plan->n_v - 1] + plan->width_v[plan->n_v - 1] / 2
	};
	plan->ward_split_u[0] = plan->n_u / 3;
	plan->ward_split_u[1] = 2 * plan->n_u / 3;
	plan->ward_split_v = plan->n_v / 2;

	if (sg_blocks_build(plan, &rng) < 0 || sg_roads_build(plan, &rng) < 0 ||
	    sg_number_parcels(plan) < 0 || sg_register_parcels(plan, &rng) < 0)
		return -1;
	return 0;
}

void sg_plan_free(struct sg_plan *plan)
{
	for (size_t i = 0; i < plan->n_parcels; i++)
		OGR_G_DestroyGeometry(plan->parcels[i].geom);
	free(plan->parcels);
	free(plan->blocks);
	free(plan->street_u);
	free(plan->width_u);
	free(plan->name_u);
	free(plan->street_v);
	free(plan->width_v);
	free(plan->name_v);
	memset(plan, 0, sizeof(*plan));
}

/* Street index of zone edge k when zones group `step` blocks. */
static size_t sg_zone_edge(size_t k, size_t step, size_t n_streets)
{
	size_t idx = k * step;
	return idx > n_streets - 1 ? n_streets - 1 : idx;
}

size_t sg_plan_zone_count(const struct sg_plan *plan, size_t step,
			  bool along_u)
{
	size_t blocks = (along_u ? plan->n_u : plan->n_v) - 1;
	return (blocks + step - 1) / step;
}

struct sg_rect sg_plan_zone_rect(const struct sg_plan *plan, size_t step_u,
				 size_t step_v, size_t a, size_t b)
{
	size_t i0 = sg_zone_edge(a, step_u, plan->n_u);
	size_t i1 = sg_zone_edge(a + 1, step_u, plan->n_u);
	size_t j0 = sg_zone_edge(b, step_v, plan->n_v);
	size_t j1 = sg_zone_edge(b + 1, step_v, plan->n_v);
	struct sg_rect r = { plan->street_u[i0], plan->street_v[j0],
			     plan->street_u[i1], plan->street_v[j1] };
	if (i0 == 0)
		r.u0 = plan->world.u0;
	if (i1 == plan->n_u - 1)
		r.u1 = plan->world.u1;
	if (j0 == 0)
		r.v0 = plan->world.v0;
	if (j1 == plan->n_v - 1)
		r.v1 = plan->world.v1;
	return r;
}

OGRGeometryH sg_zone_polygon_new(const struct sg_plan *plan,
				 const struct sg_rect *r)
{
	/* A 1 m gap keeps the zone from touching the restricted area. */
	struct sg_rect hole = { plan->restricted.u0 - 1.0,
				plan->restricted.v0 - 1.0,
				plan->restricted.u1 + 1.0,
				plan->restricted.v1 + 1.0 };
	bool inside = hole.u0 > r->u0 && hole.u1 < r->u1 &&
		      hole.v0 > r->v0 && hole.v1 < r->v1;
	return sg_rect_polygon_new(r, &hole, inside ? 1 : 0);
}

bool sg_plan_is_restricted(const struct sg_plan *plan, double u, double v)
{
	const struct sg_rect *r = &plan->restricted;
	return u >= r->u0 && u <= r->u1 && v >= r->v0 && v <= r->v1;
}
