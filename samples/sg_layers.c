/*
 * Thematic layers derived from the plan: land prices by road segment,
 * legal documents, land statistics by ward, land quality zones and
 * inspection cases.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/samplegen.h"

#define SG_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* VND rounded to `unit`. */
static int64_t sg_round_to(double value, double unit)
{
	return (int64_t)(round(value / unit) * unit);
}

static int sg_price_fields(OGRLayerH layer)
{
	static const char *const text[] = { "TenDuong", "DoanTu", "DoanDen" };
	static const char *const price[] = { "GiaVT1", "GiaVT2", "GiaVT3",
					     "GiaVT4" };
	/* Ids are integers: the layers module takes featureIds from them. */
	if (sg_field_add(layer, "MaDoan", OFTInteger) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (sg_field_add(layer, text[i], OFTString) < 0)
			return -1;
	for (size_t i = 0; i < 4; i++)
		if (sg_field_add(layer, price[i], OFTInteger64) < 0)
			return -1;
	return sg_field_add(layer, "NgayApDung", OFTDate);
}

/*
 * One priced segment of a street from crossing a to crossing b. Positions
 * 2 to 4 (VT2-VT4: alleys further from the street) cost a share of VT1.
 */
struct sg_segment {
	const char *street;
	const char *from;
	const char *to;
	bool along_u;          /* the street runs along u */
	double at;             /* its centre line */
	const double *cross;   /* centre lines of the crossing streets */
	size_t a, b;
	bool main_street;
};

static int sg_segment_write(OGRLayerH layer, struct sg_rng *rng,
			    const struct sg_segment *s, int id)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	OGRGeometryH line = OGR_G_CreateGeometry(wkbLineString);

	for (size_t k = s->a; k <= s->b; k++) {
		double e, n;
		if (s->along_u)
			sg_local_to_en(s->cross[k], s->at, &e, &n);
		else
			sg_local_to_en(s->at, s->cross[k], &e, &n);
		OGR_G_AddPoint_2D(line, e, n);
	}
	double vt1 = s->main_street ? sg_rng_uniform(rng, 35e6, 65e6)
				    : sg_rng_uniform(rng, 9e6, 28e6);
	OGR_F_SetFieldInteger(f, 0, id);
	OGR_F_SetFieldString(f, 1, s->street);
	OGR_F_SetFieldString(f, 2, s->from);
	OGR_F_SetFieldString(f, 3, s->to);
	OGR_F_SetFieldInteger64(f, 4, sg_round_to(vt1, 1e5));
	OGR_F_SetFieldInteger64(f, 5,
				sg_round_to(vt1 * sg_rng_uniform(rng, 0.5, 0.6),
					    1e3));
	OGR_F_SetFieldInteger64(f, 6,
				sg_round_to(vt1 * sg_rng_uniform(rng, 0.35, 0.42),
					    1e3));
	OGR_F_SetFieldInteger64(f, 7,
				sg_round_to(vt1 * sg_rng_uniform(rng, 0.25, 0.3),
					    1e3));
	if (sg_rng_chance(rng, 0.2))
		sg_set_date(f, "NgayApDung", 2022, 7, 1);
	else
		sg_set_date(f, "NgayApDung", 2020, 1, 1);
	OGR_F_SetGeometryDirectly(f, line);
	return sg_feature_write(layer, f);
}

/* Cut one street into segments of 2 to 4 blocks. */
static int sg_street_prices(OGRLayerH layer, struct sg_rng *rng,
			    struct sg_segment *s, const char *const *names,
			    size_t n_cross, int *id)
{
	size_t a = 0;
	while (a + 1 < n_cross) {
		size_t b = a + (size_t)sg_rng_int(rng, 2, 4);
		if (b > n_cross - 1 || n_cross - 1 - b < 2)
			b = n_cross - 1;
		s->a = a;
		s->b = b;
		s->from = names[a];
		s->to = names[b];
		if (sg_segment_write(layer, rng, s, ++*id) < 0)
			return -1;
		a = b;
	}
	return 0;
}

int sg_write_land_prices(GDALDatasetH ds, const struct sg_plan *plan)
{
	struct sg_rng rng;
	int id = 0;
	OGRLayerH layer = sg_layer_new(ds, "land_prices", wkbLineString);
	if (!layer || sg_price_fields(layer) < 0)
		return -1;

	sg_rng_seed(&rng, 0x61A0D47ull);
	for (size_t j = 0; j < plan->n_v; j++) {
		struct sg_segment s = {
			.street = plan->name_v[j], .along_u = true,
			.at = plan->street_v[j], .cross = plan->street_u,
			.main_street = plan->width_v[j] >= 24.0
		};
		if (sg_street_prices(layer, &rng, &s, plan->name_u, plan->n_u,
				     &id) < 0)
			return -1;
	}
	for (size_t i = 0; i < plan->n_u; i++) {
		struct sg_segment s = {
			.street = plan->name_u[i], .along_u = false,
			.at = plan->street_u[i], .cross = plan->street_v,
			.main_street = plan->width_u[i] >= 24.0
		};
		if (sg_street_prices(layer, &rng, &s, plan->name_v, plan->n_v,
				     &id) < 0)
			return -1;
	}
	return 0;
}

static int sg_document_fields(OGRLayerH layer)
{
	static const char *const text[] = { "SoHieu", "LoaiVanBan",
					    "TrichYeu" };
	if (sg_field_add(layer, "MaVanBan", OFTInteger) < 0)
		return -1;
	for (size_t i = 0; i < SG_COUNT(text); i++)
		if (sg_field_add(layer, text[i], OFTString) < 0)
			return -1;
	if (sg_field_add(layer, "NgayBanHanh", OFTDate) < 0 ||
	    sg_field_add(layer, "CoQuanBanHanh", OFTString) < 0 ||
	    sg_field_add(layer, "MaThua", OFTInteger64) < 0 ||
	    sg_field_add(layer, "MaXa", OFTString) < 0)
		return -1;
	return 0;
}

struct sg_document {
	const char *number_suffix;  /* "QĐ-UBND" */
	const char *kind;           /* LoaiVanBan */
	char summary[320];          /* TrichYeu */
	char issuer[96];            /* CoQuanBanHanh */
	int year;
	const struct sg_parcel *parcel;  /* or NULL */
	int ward;                   /* when parcel is NULL */
	OGRGeometryH point;         /* taken over; may be NULL */
};

static int sg_document_write(OGRLayerH layer, struct sg_rng *rng,
			     struct sg_document *d, int id)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	char number[48];

	snprintf(number, sizeof(number), "%d/%s", sg_rng_int(rng, 12, 4800),
		 d->number_suffix);
	OGR_F_SetFieldInteger(f, 0, id);
	OGR_F_SetFieldString(f, 1, number);
	OGR_F_SetFieldString(f, 2, d->kind);
	OGR_F_SetFieldString(f, 3, d->summary);
	sg_set_date(f, "NgayBanHanh", d->year, sg_rng_int(rng, 1, 12),
		    sg_rng_int(rng, 1, 28));
	OGR_F_SetFieldString(f, 5, d->issuer);
	if (d->parcel) {
		OGR_F_SetFieldInteger64(f, 6, d->parcel->id);
		OGR_F_SetFieldNull(f, 7);
	} else {
		OGR_F_SetFieldNull(f, 6);
		OGR_F_SetFieldString(f, 7, sg_wards[d->ward].code);
	}
	if (d->point)
		OGR_F_SetGeometryDirectly(f, d->point);
	d->point = NULL;
	return sg_feature_write(layer, f);
}

/* A decision about one parcel: a certificate, a recovery or a lease. */
static void sg_parcel_document(struct sg_rng *rng, const struct sg_parcel *p,
			       struct sg_document *d)
{
	const char *ward = sg_wards[p->ward].name;
	double r = sg_rng_uniform(rng, 0.0, 1.0);
	bool business = !strncmp(p->use, "TMD", 3) || !strncmp(p->use, "SKC", 3);

	d->parcel = p;
	d->point = sg_label_point_new(p->geom);
	if (business && r < 0.5) {
		d->number_suffix = "QĐ-UBND";
		d->kind = "Quyết định";
		snprintf(d->issuer, sizeof(d->issuer), "UBND thành phố Cần Thơ");
		d->year = sg_rng_int(rng, 2012, 2023);
		snprintf(d->summary, sizeof(d->summary),
			 "Về việc cho thuê đất đối với %s tại thửa đất số %d, "
			 "tờ bản đồ số %d, phường %s",
			 p->owner, p->number, p->sheet, ward);
	} else if (r < 0.2) {
		d->number_suffix = "TB-UBND";
		d->kind = "Thông báo";
		snprintf(d->issuer, sizeof(d->issuer), "UBND quận Ninh Kiều");
		d->year = sg_rng_int(rng, 2016, 2024);
		snprintf(d->summary, sizeof(d->summary),
			 "Thông báo thu hồi đất để thực hiện dự án chỉnh "
			 "trang đô thị tại thửa đất số %d, tờ bản đồ số %d, "
			 "phường %s",
			 p->number, p->sheet, ward);
	} else {
		d->number_suffix = "QĐ-UBND";
		d->kind = "Quyết định";
		snprintf(d->issuer, sizeof(d->issuer), "UBND quận Ninh Kiều");
		d->year = sg_rng_int(rng, 2010, 2024);
		snprintf(d->summary, sizeof(d->summary),
			 "Về việc cấp Giấy chứng nhận quyền sử dụng đất, "
			 "quyền sở hữu nhà ở và tài sản khác gắn liền với đất "
			 "tại thửa đất số %d, tờ bản đồ số %d, phường %s",
			 p->number, p->sheet, ward);
	}
}

/* Plans and inventories of a ward; half of them have no location. */
static void sg_ward_document(struct sg_rng *rng, const struct sg_plan *plan,
			     int ward, int kind, struct sg_document *d)
{
	const char *name = sg_wards[ward].name;
	d->parcel = NULL;
	d->ward = ward;
	d->point = NULL;
	if (sg_rng_chance(rng, 0.5)) {
		struct sg_rect r = sg_plan_ward_rect(plan, ward);
		double e, n;
		sg_local_to_en((r.u0 + r.u1) / 2 + 7.0, (r.v0 + r.v1) / 2 + 5.0,
			       &e, &n);
		d->point = OGR_G_CreateGeometry(wkbPoint);
		OGR_G_SetPoint_2D(d->point, 0, e, n);
	}
	if (kind == 0) {
		d->number_suffix = "QĐ-UBND";
		d->kind = "Quyết định";
		snprintf(d->issuer, sizeof(d->issuer), "UBND quận Ninh Kiều");
		d->year = 2023;
		snprintf(d->summary, sizeof(d->summary),
			 "Về việc phê duyệt kế hoạch sử dụng đất năm 2023 "
			 "trên địa bàn phường %s",
			 name);
	} else {
		d->number_suffix = "KH-UBND";
		d->kind = "Kế hoạch";
		snprintf(d->issuer, sizeof(d->issuer), "UBND phường %s", name);
		d->year = 2024;
		snprintf(d->summary, sizeof(d->summary),
			 "Kế hoạch thống kê, kiểm kê đất đai và lập bản đồ "
			 "hiện trạng sử dụng đất năm 2024 phường %s",
			 name);
	}
}

int sg_write_legal_documents(GDALDatasetH ds, const struct sg_plan *plan)
{
	struct sg_rng rng;
	int id = 0;
	OGRLayerH layer = sg_layer_new(ds, "legal_documents", wkbPoint);
	if (!layer || sg_document_fields(layer) < 0)
		return -1;

	sg_rng_seed(&rng, 0xD0C5ull);
	for (size_t i = 0; i < plan->n_parcels; i++) {
		const struct sg_parcel *p = &plan->parcels[i];
		struct sg_document d;
		if (!strcmp(p->use, "DGT") || !sg_rng_chance(&rng, 0.07))
			continue;
		sg_parcel_document(&rng, p, &d);
		if (sg_document_write(layer, &rng, &d, ++id) < 0)
			return -1;
	}
	for (int w = 0; w < 6; w++)
		for (int kind = 0; kind < 2; kind++) {
			struct sg_document d;
			sg_ward_document(&rng, plan, w, kind, &d);
			if (sg_document_write(layer, &rng, &d, ++id) < 0)
				return -1;
		}
	return 0;
}

static bool sg_is_agricultural(const char *use)
{
	return !strcmp(use, "CLN") || !strcmp(use, "LUK") ||
	       !strcmp(use, "NTS");
}

static double sg_round2(double x)
{
	return round(x * 100.0) / 100.0;
}

/*
 * Statistics by ward in hectares. Parcels in the restricted area are left
 * out, as the ward polygon has a hole there.
 */
int sg_write_land_statistics(GDALDatasetH ds, const struct sg_plan *plan)
{
	static const char *const real[] = { "TongDienTich", "DatNongNghiep",
					    "DatPhiNongNghiep",
					    "DatChuaSuDung" };
	OGRLayerH layer = sg_layer_new(ds, "land_statistics", wkbPolygon);
	/* MaXa is an integer here because it is the layer's featureId. */
	if (!layer || sg_field_add(layer, "MaXa", OFTInteger) < 0 ||
	    sg_field_add(layer, "TenXa", OFTString) < 0 ||
	    sg_field_add(layer, "Nam", OFTInteger) < 0)
		return -1;
	for (size_t i = 0; i < SG_COUNT(real); i++)
		if (sg_field_add(layer, real[i], OFTReal) < 0)
			return -1;

	for (int w = 0; w < 6; w++) {
		struct sg_rect r = sg_plan_ward_rect(plan, w);
		OGRGeometryH geom = sg_zone_polygon_new(plan, &r);
		double total = sg_geodesic_area(geom) / 1e4;
		double farm = 0.0, other = 0.0;
		for (size_t i = 0; i < plan->n_parcels; i++) {
			const struct sg_parcel *p = &plan->parcels[i];
			if (p->ward != w ||
			    sg_plan_is_restricted(plan, p->cu, p->cv))
				continue;
			if (sg_is_agricultural(p->use))
				farm += p->area / 1e4;
			else
				other += p->area / 1e4;
		}
		char name[64];
		snprintf(name, sizeof(name), "Phường %s", sg_wards[w].name);
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		OGR_F_SetFieldInteger(f, 0, (int)strtol(sg_wards[w].code,
							 NULL, 10));
		OGR_F_SetFieldString(f, 1, name);
		OGR_F_SetFieldInteger(f, 2, 2023);
		OGR_F_SetFieldDouble(f, 3, sg_round2(total));
		OGR_F_SetFieldDouble(f, 4, sg_round2(farm));
		OGR_F_SetFieldDouble(f, 5, sg_round2(other));
		OGR_F_SetFieldDouble(f, 6,
				     sg_round2(fmax(0.0, total - farm - other)));
		OGR_F_SetGeometryDirectly(f, geom);
		if (sg_feature_write(layer, f) < 0)
			return -1;
	}
	return 0;
}

int sg_write_land_quality(GDALDatasetH ds, const struct sg_plan *plan)
{
	static const char *const classes[] = { "Hạng I", "Hạng II",
					       "Hạng III" };
	static const char *const fertility[] = { "Cao", "Trung bình",
						 "Thấp" };
	struct sg_rng rng;
	int n = 0;
	OGRLayerH layer = sg_layer_new(ds, "land_quality", wkbPolygon);
	if (!layer || sg_field_add(layer, "MaKhu", OFTInteger) < 0 ||
	    sg_field_add(layer, "HangChatLuong", OFTString) < 0 ||
	    sg_field_add(layer, "DoPhi", OFTString) < 0 ||
	    sg_field_add(layer, "pH", OFTReal) < 0 ||
	    sg_field_add(layer, "NgayDieuTra", OFTDate) < 0)
		return -1;

	sg_rng_seed(&rng, 0x50113ull);
	size_t na = sg_plan_zone_count(plan, 3, true);
	size_t nb = sg_plan_zone_count(plan, 3, false);
	for (size_t b = 0; b < nb; b++)
		for (size_t a = 0; a < na; a++) {
			struct sg_rect r = sg_plan_zone_rect(plan, 3, 3, a, b);
			int grade = sg_rng_int(&rng, 0, 2);
			OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
			OGR_F_SetFieldInteger(f, 0, ++n);
			OGR_F_SetFieldString(f, 1, classes[grade]);
			OGR_F_SetFieldString(f, 2, fertility[grade]);
			/* Alluvial soils of the delta are acid: pH 4.3-6.8. */
			OGR_F_SetFieldDouble(
				f, 3,
				round(sg_rng_uniform(&rng, 6.1 - grade * 0.9,
						     6.8 - grade * 0.9) *
				      10) / 10);
			sg_set_date(f, "NgayDieuTra", 2021,
				    sg_rng_int(&rng, 3, 5),
				    sg_rng_int(&rng, 1, 28));
			OGR_F_SetGeometryDirectly(f,
						  sg_zone_polygon_new(plan, &r));
			if (sg_feature_write(layer, f) < 0)
				return -1;
		}
	return 0;
}

static const char *const sg_inspection_subjects[] = {
	"Kiểm tra việc sử dụng đất sai mục đích",
	"Xây dựng nhà ở trên đất trồng cây lâu năm chưa chuyển mục đích",
	"Lấn chiếm đất công, đất hành lang giao thông",
	"Chuyển nhượng quyền sử dụng đất không đăng ký biến động",
	"Tranh chấp ranh giới thửa đất giữa các hộ liền kề",
	"Kiểm tra việc chấp hành quyết định cho thuê đất",
};
static const char *const sg_inspection_findings[] = {
	"Có vi phạm, đã xử phạt vi phạm hành chính",
	"Không phát hiện vi phạm",
	"Đang xác minh, chưa có kết luận",
	"Yêu cầu khôi phục tình trạng ban đầu của đất",
	"Đã hòa giải thành tại Ủy ban nhân dân phường",
};
static const char *const sg_inspection_bodies[] = {
	"Thanh tra Sở Tài nguyên và Môi trường thành phố Cần Thơ",
	"Phòng Tài nguyên và Môi trường quận Ninh Kiều",
	"Thanh tra quận Ninh Kiều",
};

int sg_write_inspections(GDALDatasetH ds, const struct sg_plan *plan)
{
	struct sg_rng rng;
	int per_year[2025 - 2019 + 1] = { 0 };
	OGRLayerH layer = sg_layer_new(ds, "inspections", wkbPoint);
	if (!layer || sg_field_add(layer, "MaVuViec", OFTInteger) < 0 ||
	    sg_field_add(layer, "MaThua", OFTInteger64) < 0 ||
	    sg_field_add(layer, "NoiDung", OFTString) < 0 ||
	    sg_field_add(layer, "KetLuan", OFTString) < 0 ||
	    sg_field_add(layer, "NgayKiemTra", OFTDate) < 0 ||
	    sg_field_add(layer, "CoQuan", OFTString) < 0)
		return -1;

	sg_rng_seed(&rng, 0x7E57ull);
	for (int k = 0; k < 90; k++) {
		const struct sg_parcel *p;
		do {
			p = &plan->parcels[sg_rng_next(&rng) % plan->n_parcels];
		} while (!strcmp(p->use, "DGT"));

		int year = sg_rng_int(&rng, 2019, 2024);
		/* Case 12 of 2023 is 2023012. */
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		OGR_F_SetFieldInteger(f, 0,
				      year * 1000 + ++per_year[year - 2019]);
		OGR_F_SetFieldInteger64(f, 1, p->id);
		OGR_F_SetFieldString(f, 2,
				     sg_rng_pick(&rng, sg_inspection_subjects,
						 SG_COUNT(sg_inspection_subjects)));
		OGR_F_SetFieldString(f, 3,
				     sg_rng_pick(&rng, sg_inspection_findings,
						 SG_COUNT(sg_inspection_findings)));
		sg_set_date(f, "NgayKiemTra", year, sg_rng_int(&rng, 1, 12),
			    sg_rng_int(&rng, 1, 28));
		OGR_F_SetFieldString(f, 5,
				     sg_rng_pick(&rng, sg_inspection_bodies,
						 SG_COUNT(sg_inspection_bodies)));
		/* Some cases are known only by their parcel. */
		if (!sg_rng_chance(&rng, 0.15))
			OGR_F_SetGeometryDirectly(f,
						  sg_label_point_new(p->geom));
		if (sg_feature_write(layer, f) < 0)
			return -1;
	}
	return 0;
}
