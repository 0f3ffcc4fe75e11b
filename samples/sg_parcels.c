/*
 * Layers drawn straight from the plan: parcels, land-use zones and the
 * restricted area.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "samples/samplegen.h"

#define SG_COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct sg_field {
	const char *name;
	OGRFieldType type;
};

static int sg_fields_add(OGRLayerH layer, const struct sg_field *fields,
			 size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sg_field_add(layer, fields[i].name, fields[i].type) < 0)
			return -1;
	return 0;
}

int sg_write_parcels(GDALDatasetH ds, const struct sg_plan *plan)
{
	static const struct sg_field fields[] = {
		{ "MaThua", OFTInteger64 },
		{ "MaXa", OFTString },
		{ "SoHieuToBanDo", OFTInteger },
		{ "SoThuTuThua", OFTInteger },
		{ "DienTich", OFTReal },
		{ "KyHieuMucDichSuDung", OFTString },
		{ "DiaChi", OFTString },
		{ "TenChu", OFTString },
		{ "SoGiayTo", OFTString },
	};
	/* Polygons and a few MultiPolygons: the GeoPackage type GEOMETRY. */
	OGRLayerH layer = sg_layer_new(ds, "parcels", wkbUnknown);
	if (!layer || sg_fields_add(layer, fields, SG_COUNT(fields)) < 0)
		return -1;

	for (size_t i = 0; i < plan->n_parcels; i++) {
		const struct sg_parcel *p = &plan->parcels[i];
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		OGR_F_SetFieldInteger64(f, 0, p->id);
		OGR_F_SetFieldString(f, 1, sg_wards[p->ward].code);
		OGR_F_SetFieldInteger(f, 2, p->sheet);
		OGR_F_SetFieldInteger(f, 3, p->number);
		OGR_F_SetFieldDouble(f, 4, p->area);
		OGR_F_SetFieldString(f, 5, p->use);
		OGR_F_SetFieldString(f, 6, p->address);
		OGR_F_SetFieldString(f, 7, p->owner);
		if (p->certificate[0])
			OGR_F_SetFieldString(f, 8, p->certificate);
		else
			OGR_F_SetFieldNull(f, 8);
		OGR_F_SetGeometry(f, p->geom);
		OGR_F_SetFID(f, p->id);
		if (sg_feature_write(layer, f) < 0)
			return -1;
	}
	return 0;
}

/* Main code of a parcel: "ODT" of "ODT+CLN". */
static void sg_main_code(const char *use, char out[4])
{
	snprintf(out, 4, "%.3s", use);
}

/* Land-use code covering most of a block's area. */
static void sg_block_code(const struct sg_plan *plan, int block, char out[4])
{
	static const char *const codes[] = {
		"ODT", "ONT", "TMD", "SKC", "DGD", "DYT", "DVH", "TON", "CLN",
		"NTS", "LUK"
	};
	double area[SG_COUNT(codes)] = { 0 };
	for (size_t i = 0; i < plan->n_parcels; i++) {
		char code[4];
		if (plan->parcels[i].block != block)
			continue;
		sg_main_code(plan->parcels[i].use, code);
		for (size_t k = 0; k < SG_COUNT(codes); k++)
			if (!strcmp(codes[k], code))
				area[k] += plan->parcels[i].area;
	}
	size_t best = 0;
	for (size_t k = 1; k < SG_COUNT(codes); k++)
		if (area[k] > area[best])
			best = k;
	snprintf(out, 4, "%s", codes[best]);
}

static int sg_zone_write(OGRLayerH layer, OGRGeometryH geom, int id,
			 const char *code, const char *kind, int y, int m,
			 int d)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	OGR_F_SetFieldInteger(f, 0, id);
	OGR_F_SetFieldString(f, 1, code);
	OGR_F_SetFieldString(f, 2, sg_landuse_name(code));
	OGR_F_SetFieldString(f, 3, kind);
	sg_set_date(f, "NgayHieuLuc", y, m, d);
	OGR_F_SetGeometryDirectly(f, geom);
	return sg_feature_write(layer, f);
}

/*
 * Current use: one zone per block and the street network as one zone.
 * MaKhu counts from 1001 for current use and from 2001 for the plan.
 */
static int sg_current_use(OGRLayerH layer, const struct sg_plan *plan)
{
	char code[4];
	int n = 1000;

	for (size_t b = 0; b < plan->n_blocks; b++) {
		sg_block_code(plan, (int)b, code);
		if (sg_zone_write(layer,
				  sg_zone_polygon_new(plan, &plan->blocks[b]),
				  ++n, code, "hien_trang", 2019, 12, 31) < 0)
			return -1;
	}
	OGRGeometryH streets =
		sg_rect_polygon_new(&plan->world, plan->blocks, plan->n_blocks);
	return sg_zone_write(layer, streets, ++n, "DGT", "hien_trang", 2019, 12,
			     31);
}

/* The land-use plan: zones of 2 x 2 blocks with a planned code. */
static int sg_planned_use(OGRLayerH layer, const struct sg_plan *plan)
{
	static const struct {
		const char *code;
		double weight;
	} uses[] = {
		{ "ODT", 0.55 }, { "TMD", 0.15 }, { "DGD", 0.07 },
		{ "DVH", 0.05 }, { "DKV", 0.06 }, { "DTT", 0.05 },
		{ "DYT", 0.04 }, { "TSC", 0.03 },
	};
	struct sg_rng rng;
	int n = 2000;
	size_t na = sg_plan_zone_count(plan, 2, true);
	size_t nb = sg_plan_zone_count(plan, 2, false);

	sg_rng_seed(&rng, 0x9A1A2030ull);
	for (size_t b = 0; b < nb; b++)
		for (size_t a = 0; a < na; a++) {
			struct sg_rect r = sg_plan_zone_rect(plan, 2, 2, a, b);
			double x = sg_rng_uniform(&rng, 0.0, 1.0);
			size_t k = 0;
			while (k + 1 < SG_COUNT(uses) && x >= uses[k].weight)
				x -= uses[k++].weight;
			if (sg_zone_write(layer, sg_zone_polygon_new(plan, &r),
					  ++n, uses[k].code, "quy_hoach", 2021,
					  12, 30) < 0)
				return -1;
		}
	return 0;
}

int sg_write_land_use(GDALDatasetH ds, const struct sg_plan *plan)
{
	static const struct sg_field fields[] = {
		{ "MaKhu", OFTInteger },
		{ "MaLoaiDat", OFTString },
		{ "TenLoaiDat", OFTString },
		{ "LoaiBanDo", OFTString },
		{ "NgayHieuLuc", OFTDate },
	};
	OGRLayerH layer = sg_layer_new(ds, "land_use", wkbPolygon);
	if (!layer || sg_fields_add(layer, fields, SG_COUNT(fields)) < 0)
		return -1;
	if (sg_current_use(layer, plan) < 0)
		return -1;
	return sg_planned_use(layer, plan);
}

int sg_write_restricted(GDALDatasetH ds, const struct sg_plan *plan)
{
	OGRLayerH layer = sg_layer_new(ds, "restricted_areas", wkbPolygon);
	if (!layer || sg_field_add(layer, "Ten", OFTString) < 0 ||
	    sg_field_add(layer, "MaLyDo", OFTString) < 0)
		return -1;

	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	OGR_F_SetFieldString(f, 0, "Khu vực quân sự (mẫu)");
	OGR_F_SetFieldString(f, 1, "QP");
	OGR_F_SetGeometryDirectly(
		f, sg_rect_polygon_new(&plan->restricted, NULL, 0));
	return sg_feature_write(layer, f);
}
