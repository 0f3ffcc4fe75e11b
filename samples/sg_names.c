/*
 * Vietnamese text of the sample: ward and street names of Ninh Kieu (real
 * names on an invented layout), invented people and organisations.
 * Every string is UTF-8 NFC.
 */
#include <stdio.h>
#include <string.h>

#include "samples/samplegen.h"

/*
 * Wards of Ninh Kieu district before the mergers of 2020 and 2025. The
 * codes follow the national commune code list as far as recalled; treat them
 * as approximate. Their layout in the sample is invented: north row west to
 * east first, then the south row.
 */
const struct sg_ward sg_wards[6] = {
	{ "31129", "An Cư" },
	{ "31132", "An Hội" },
	{ "31135", "Tân An" },
	{ "31144", "Xuân Khánh" },
	{ "31141", "An Phú" },
	{ "31138", "An Lạc" },
};

/* Street names of Can Tho; the first six are the wide main streets. */
static const char *const sg_streets[] = {
	"Mậu Thân", "30 Tháng 4", "Nguyễn Văn Cừ", "Trần Hưng Đạo",
	"Hòa Bình", "3 Tháng 2", "Lý Tự Trọng", "Nguyễn Trãi", "Trần Phú",
	"Cách Mạng Tháng 8", "Võ Văn Tần", "Phan Đình Phùng", "Ngô Quyền",
	"Nguyễn An Ninh", "Trần Văn Khéo", "Xô Viết Nghệ Tĩnh", "Lê Lợi",
	"Đề Thám", "Nguyễn Thị Minh Khai", "Lý Thường Kiệt",
	"Trần Quang Diệu", "Nguyễn Việt Hồng", "Huỳnh Thúc Kháng", "Lê Lai",
	"Trần Bình Trọng", "Châu Văn Liêm", "Phạm Ngũ Lão", "Ngô Gia Tự",
	"Nguyễn Khuyến", "Tầm Vu",
};

const char *sg_street_name(size_t index)
{
	return sg_streets[index % (sizeof(sg_streets) / sizeof(sg_streets[0]))];
}

#define SG_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const sg_family[] = {
	"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm",
	"Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
	"Lý", "Trương", "Lâm", "Châu", "Thạch",
};
static const char *const sg_middle_m[] = {
	"Văn", "Văn", "Minh", "Hữu", "Quốc", "Đức", "Thanh", "Hoàng", "Công",
};
static const char *const sg_middle_f[] = {
	"Thị", "Thị", "Ngọc", "Kim", "Thanh", "Mỹ", "Thu", "Bích",
};
static const char *const sg_given_m[] = {
	"An", "Bình", "Cường", "Dũng", "Hùng", "Khoa", "Lộc", "Nam", "Phúc",
	"Quang", "Sơn", "Tâm", "Tuấn", "Thành", "Trí", "Hiếu", "Nghĩa", "Tài",
	"Phước", "Vinh", "Khải", "Toàn", "Đạt", "Hậu",
};
static const char *const sg_given_f[] = {
	"Hà", "Hạnh", "Lan", "Linh", "Mai", "Nhung", "Phương", "Thảo",
	"Trang", "Vy", "Yến", "Thủy", "Hằng", "Diễm", "Ngân", "Trinh",
	"Xuân", "Loan", "Tuyết", "Huệ",
};

void sg_person_name(struct sg_rng *rng, char *buf, size_t size)
{
	bool female = sg_rng_chance(rng, 0.45);
	const char *family = sg_rng_pick(rng, sg_family, SG_COUNT(sg_family));
	const char *middle =
		female ? sg_rng_pick(rng, sg_middle_f, SG_COUNT(sg_middle_f))
		       : sg_rng_pick(rng, sg_middle_m, SG_COUNT(sg_middle_m));
	const char *given =
		female ? sg_rng_pick(rng, sg_given_f, SG_COUNT(sg_given_f))
		       : sg_rng_pick(rng, sg_given_m, SG_COUNT(sg_given_m));
	snprintf(buf, size, "%s %s %s", family, middle, given);
}

static const char *const sg_company_stem[] = {
	"Phú Thành", "Minh Phát", "Hưng Thịnh", "Tây Đô", "Mê Kông Xanh",
	"An Khang", "Phước Lộc", "Đại Phát", "Sông Hậu", "Thuận Hòa",
	"Kim Long", "Bảo Ngọc",
};
static const char *const sg_company_kind[] = {
	"Công ty TNHH Thương mại Dịch vụ", "Công ty Cổ phần Đầu tư",
	"Công ty TNHH Xây dựng", "Doanh nghiệp tư nhân",
};
static const char *const sg_factory_kind[] = {
	"Công ty TNHH Chế biến Thủy sản", "Công ty Cổ phần Cơ khí",
	"Công ty TNHH In ấn Bao bì", "Cơ sở Sản xuất Nước đá",
};
static const char *const sg_temple[] = {
	"Chùa Phước Hưng", "Chùa Long Quang", "Tịnh xá Ngọc Quang",
	"Nhà thờ Tân An", "Chùa Hội Linh",
};

/* Owner of a parcel by its land use: people, companies or the state. */
void sg_owner_name(struct sg_rng *rng, const char *use, const char *ward,
		   char *buf, size_t size)
{
	char a[64];
	char b[64];

	if (!strncmp(use, "DGT", 3)) {
		snprintf(buf, size, "UBND quận Ninh Kiều");
	} else if (!strncmp(use, "DGD", 3)) {
		snprintf(buf, size, "Trường %s %s %d",
			 sg_rng_chance(rng, 0.5) ? "Tiểu học" : "THCS", ward,
			 sg_rng_int(rng, 1, 3));
	} else if (!strncmp(use, "DYT", 3)) {
		snprintf(buf, size, "Trạm Y tế phường %s", ward);
	} else if (!strncmp(use, "DVH", 3)) {
		snprintf(buf, size, "Nhà văn hóa phường %s", ward);
	} else if (!strncmp(use, "TON", 3)) {
		snprintf(buf, size, "%s",
			 sg_rng_pick(rng, sg_temple, SG_COUNT(sg_temple)));
	} else if (!strncmp(use, "SKC", 3) ||
		   (!strncmp(use, "TMD", 3) && sg_rng_chance(rng, 0.4))) {
		const char *const *kinds = strncmp(use, "SKC", 3)
						   ? sg_company_kind
						   : sg_factory_kind;
		snprintf(buf, size, "%s %s",
			 sg_rng_pick(rng, kinds, 4),
			 sg_rng_pick(rng, sg_company_stem,
				     SG_COUNT(sg_company_stem)));
	} else if (sg_rng_chance(rng, 0.3)) {
		/* Husband and wife hold many urban parcels together. */
		sg_person_name(rng, a, sizeof(a));
		sg_person_name(rng, b, sizeof(b));
		snprintf(buf, size, "%s và %s", a, b);
	} else {
		sg_person_name(rng, buf, size);
	}
}
