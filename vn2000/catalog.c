/*
 * The catalogue of CRSs that vnsdi supports, and lookups by code, URI, name and
 * central meridian.
 *
 * Parameters of the VN-2000 CRSs are those of the EPSG dataset v10.076 as
 * shipped in PROJ 9.1.1's proj.db (central meridians decoded from their
 * sexagesimal storage, unit 9110). Areas of use are the EPSG extents of
 * each CRS's usage record (west, south, east, north).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vn2000/vn2000_internal.h"

#define TM3_DEF(cm) \
	"+proj=tmerc +lat_0=0 +lon_0=" cm " +k=0.9999 +x_0=500000 +y_0=0 " \
	"+ellps=WGS84 +units=m +no_defs"

/* A VN-2000 3-degree zone: k0 0.9999, false easting 500 000 m. */
#define VN_TM3(code, cm_text, cm, en, vi, w, s, e, n)                      \
	{ code, "EPSG:" #code, en, vi, TM3_DEF(cm_text), VN2000_DATUM_VN2000, \
	  false, false, { w, s, e, n }, cm, 0.9999 }

static const struct vn2000_crs catalogue[] = {
	{ 4326, "EPSG:4326", "WGS 84 (geographic, latitude first)",
	  "WGS 84 (tọa độ địa lý, vĩ độ trước)",
	  "+proj=longlat +datum=WGS84 +no_defs", VN2000_DATUM_WGS84, true,
	  true, { -180, -90, 180, 90 }, 0, 0 },
	{ 0, "CRS:84", "WGS 84 (geographic, longitude first)",
	  "WGS 84 (tọa độ địa lý, kinh độ trước)",
	  "+proj=longlat +datum=WGS84 +no_defs", VN2000_DATUM_WGS84, true,
	  false, { -180, -90, 180, 90 }, 0, 0 },
	{ 3857, "EPSG:3857", "WGS 84 / Pseudo-Mercator (Web Mercator)",
	  "WGS 84 / Web Mercator (bản đồ web)",
	  "+proj=webmerc +lat_0=0 +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 "
	  "+units=m +no_defs",
	  VN2000_DATUM_WGS84, false, false, { -180, -85.06, 180, 85.06 }, 0,
	  0 },
	{ 32648, "EPSG:32648", "WGS 84 / UTM zone 48N", "WGS 84 / UTM múi 48N",
	  "+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs",
	  VN2000_DATUM_WGS84, false, false, { 102, 0, 108, 84 }, 105, 0.9996 },
	{ 32649, "EPSG:32649", "WGS 84 / UTM zone 49N", "WGS 84 / UTM múi 49N",
	  "+proj=utm +zone=49 +datum=WGS84 +units=m +no_defs",
	  VN2000_DATUM_WGS84, false, false, { 108, 0, 114, 84 }, 111, 0.9996 },
	{ 4756, "EPSG:4756", "VN-2000 (geographic)",
	  "VN-2000 (tọa độ địa lý)", "+proj=longlat +ellps=WGS84 +no_defs",
	  VN2000_DATUM_VN2000, true, true, { 102.14, 8.33, 109.53, 23.4 }, 0,
	  0 },
	{ 3405, "EPSG:3405", "VN-2000 / UTM zone 48N",
	  "VN-2000 / UTM múi 48N (kinh tuyến trục 105°)",
	  "+proj=utm +zone=48 +ellps=WGS84 +units=m +no_defs",
	  VN2000_DATUM_VN2000, false, false, { 102.14, 8.33, 108, 23.4 }, 105,
	  0.9996 },
	{ 3406, "EPSG:3406", "VN-2000 / UTM zone 49N",
	  "VN-2000 / UTM múi 49N (kinh tuyến trục 111°)",
	  "+proj=utm +zone=49 +ellps=WGS84 +units=m +no_defs",
	  VN2000_DATUM_VN2000, false, false, { 108, 10.43, 109.53, 21.56 }, 111,
	  0.9996 },
	VN_TM3(5896, "102", 102.0, "VN-2000 / TM-3 zone 481",
	       "VN-2000 / TM-3 múi 481 (kinh tuyến trục 102°00′)", 102.14, 9.2,
	       103.51, 22.82),
	VN_TM3(5897, "105", 105.0, "VN-2000 / TM-3 zone 482 (TM-3 105-00)",
	       "VN-2000 / TM-3 kinh tuyến trục 105°00′ (Hà Nội, Hà Nam, Ninh "
	       "Bình, Thanh Hóa, Vĩnh Phúc, Cần Thơ, Bạc Liêu, Đồng Tháp, Hậu "
	       "Giang)",
	       103.5, 8.33, 106.51, 23.4),
	VN_TM3(5898, "108", 108.0, "VN-2000 / TM-3 zone 491 (TM-3 108-00)",
	       "VN-2000 / TM-3 kinh tuyến trục 108°00′ (Quảng Ngãi)", 106.5,
	       8.57, 109.53, 22.95),
	VN_TM3(5899, "107.75", 107.75, "VN-2000 / TM-3 107-45",
	       "VN-2000 / TM-3 kinh tuyến trục 107°45′ (Quảng Ninh, Đà Nẵng, "
	       "Quảng Nam, Bà Rịa – Vũng Tàu, Đồng Nai, Lâm Đồng)",
	       106.43, 8.57, 108.76, 21.67),
	VN_TM3(9205, "103", 103.0, "VN-2000 / TM-3 103-00",
	       "VN-2000 / TM-3 kinh tuyến trục 103°00′ (Điện Biên, Lai Châu)",
	       102.14, 20.89, 103.99, 22.82),
	VN_TM3(9206, "104", 104.0, "VN-2000 / TM-3 104-00",
	       "VN-2000 / TM-3 kinh tuyến trục 104°00′ (Sơn La)", 103.21, 20.57,
	       105.03, 22.04),
	VN_TM3(9207, "104.5", 104.5, "VN-2000 / TM-3 104-30",
	       "VN-2000 / TM-3 kinh tuyến trục 104°30′ (Cà Mau, Kiên Giang)",
	       103.4, 8.33, 105.54, 10.55),
	VN_TM3(9208, "104.75", 104.75, "VN-2000 / TM-3 104-45",
	       "VN-2000 / TM-3 kinh tuyến trục 104°45′ (An Giang, Lào Cai, Nghệ "
	       "An, Phú Thọ, Yên Bái)",
	       103.53, 10.18, 105.86, 22.85),
	VN_TM3(9209, "105.5", 105.5, "VN-2000 / TM-3 105-30",
	       "VN-2000 / TM-3 kinh tuyến trục 105°30′ (Bắc Ninh, Hà Giang, Hà "
	       "Tĩnh, Hải Dương, Hưng Yên, Nam Định, Sóc Trăng, Tây Ninh, Thái "
	       "Bình, Trà Vinh, Vĩnh Long)",
	       104.33, 9.19, 106.69, 23.4),
	VN_TM3(9210, "105.75", 105.75, "VN-2000 / TM-3 105-45",
	       "VN-2000 / TM-3 kinh tuyến trục 105°45′ (Hải Phòng, TP Hồ Chí "
	       "Minh, Bến Tre, Bình Dương, Cao Bằng, Long An, Tiền Giang)",
	       105.26, 9.75, 107.8, 23.12),
	VN_TM3(9211, "106", 106.0, "VN-2000 / TM-3 106-00",
	       "VN-2000 / TM-3 kinh tuyến trục 106°00′ (Hòa Bình, Quảng Bình, "
	       "Tuyên Quang)",
	       104.83, 16.92, 107.03, 22.7),
	VN_TM3(9212, "106.25", 106.25, "VN-2000 / TM-3 106-15",
	       "VN-2000 / TM-3 kinh tuyến trục 106°15′ (Bình Phước, Quảng Trị)",
	       106.41, 11.3, 107.43, 17.22),
	VN_TM3(9213, "106.5", 106.5, "VN-2000 / TM-3 106-30",
	       "VN-2000 / TM-3 kinh tuyến trục 106°30′ (Bắc Kạn, Thái Nguyên)",
	       105.43, 21.32, 106.25, 22.75),
	VN_TM3(9214, "107", 107.0, "VN-2000 / TM-3 107-00",
	       "VN-2000 / TM-3 kinh tuyến trục 107°00′ (Bắc Giang, Thừa Thiên "
	       "Huế)",
	       105.88, 15.99, 108.24, 21.63),
	VN_TM3(9215, "107.25", 107.25, "VN-2000 / TM-3 107-15",
	       "VN-2000 / TM-3 kinh tuyến trục 107°15′ (Lạng Sơn)", 106.09,
	       21.32, 107.37, 22.47),
	VN_TM3(9216, "107.5", 107.5, "VN-2000 / TM-3 107-30",
	       "VN-2000 / TM-3 kinh tuyến trục 107°30′ (Kon Tum)", 107.33, 13.92,
	       108.55, 15.42),
	VN_TM3(9217, "108.25", 108.25, "VN-2000 / TM-3 108-15",
	       "VN-2000 / TM-3 kinh tuyến trục 108°15′ (Bình Định, Khánh Hòa, "
	       "Ninh Thuận)",
	       108.55, 11.25, 109.53, 14.71),
	VN_TM3(9218, "108.5", 108.5, "VN-2000 / TM-3 108-30",
	       "VN-2000 / TM-3 kinh tuyến trục 108°30′ (Bình Thuận, Đắk Lắk, "
	       "Đắk Nông, Gia Lai, Phú Yên)",
	       107.2, 10.43, 109.52, 14.61),
};

#define CATALOGUE_SIZE (sizeof(catalogue) / sizeof(catalogue[0]))

/*
 * Central meridian of the 3-degree cadastral zone of each province. Legal
 * basis: Circular 973/2001/TT-TCDC of 20 June 2001 (General Department of
 * Land Administration), guidance on applying VN-2000. Values as recorded in
 * the usage areas of EPSG:5897-5899 and 9205-9218 (EPSG v10.076). Điện
 * Biên, Hậu Giang and Đắk Nông were created in 2004, after the Circular;
 * their values come from the EPSG records. Hà Tây merged into Hà Nội in
 * 2008 and is kept for older cadastral data.
 * NOTE: the 2025 provincial merger is not reflected. A merged province
 * contains data on several meridians, so the meridian of a dataset must be
 * declared with the dataset, never derived from this table alone.
 */
static const struct vn2000_province provinces[] = {
	{ "Lai Châu", "Lai Chau", 103.00, 9205 },
	{ "Điện Biên", "Dien Bien", 103.00, 9205 },
	{ "Sơn La", "Son La", 104.00, 9206 },
	{ "Kiên Giang", "Kien Giang", 104.50, 9207 },
	{ "Cà Mau", "Ca Mau", 104.50, 9207 },
	{ "Lào Cai", "Lao Cai", 104.75, 9208 },
	{ "Yên Bái", "Yen Bai", 104.75, 9208 },
	{ "Nghệ An", "Nghe An", 104.75, 9208 },
	{ "Phú Thọ", "Phu Tho", 104.75, 9208 },
	{ "An Giang", "An Giang", 104.75, 9208 },
	{ "Thanh Hóa", "Thanh Hoa", 105.00, 5897 },
	{ "Vĩnh Phúc", "Vinh Phuc", 105.00, 5897 },
	{ "Hà Tây", "Ha Tay", 105.00, 5897 },
	{ "Đồng Tháp", "Dong Thap", 105.00, 5897 },
	{ "Cần Thơ", "Can Tho", 105.00, 5897 },
	{ "Hậu Giang", "Hau Giang", 105.00, 5897 },
	{ "Bạc Liêu", "Bac Lieu", 105.00, 5897 },
	{ "Hà Nội", "Ha Noi", 105.00, 5897 },
	{ "Ninh Bình", "Ninh Binh", 105.00, 5897 },
	{ "Hà Nam", "Ha Nam", 105.00, 5897 },
	{ "Hà Giang", "Ha Giang", 105.50, 9209 },
	{ "Hải Dương", "Hai Duong", 105.50, 9209 },
	{ "Hà Tĩnh", "Ha Tinh", 105.50, 9209 },
	{ "Bắc Ninh", "Bac Ninh", 105.50, 9209 },
	{ "Hưng Yên", "Hung Yen", 105.50, 9209 },
	{ "Thái Bình", "Thai Binh", 105.50, 9209 },
	{ "Nam Định", "Nam Dinh", 105.50, 9209 },
	{ "Tây Ninh", "Tay Ninh", 105.50, 9209 },
	{ "Vĩnh Long", "Vinh Long", 105.50, 9209 },
	{ "Sóc Trăng", "Soc Trang", 105.50, 9209 },
	{ "Trà Vinh", "Tra Vinh", 105.50, 9209 },
	{ "Cao Bằng", "Cao Bang", 105.75, 9210 },
	{ "Long An", "Long An", 105.75, 9210 },
	{ "Tiền Giang", "Tien Giang", 105.75, 9210 },
	{ "Bến Tre", "Ben Tre", 105.75, 9210 },
	{ "Hải Phòng", "Hai Phong", 105.75, 9210 },
	{ "Thành phố Hồ Chí Minh", "Ho Chi Minh City", 105.75, 9210 },
	{ "Bình Dương", "Binh Duong", 105.75, 9210 },
	{ "Tuyên Quang", "Tuyen Quang", 106.00, 9211 },
	{ "Hòa Bình", "Hoa Binh", 106.00, 9211 },
	{ "Quảng Bình", "Quang Binh", 106.00, 9211 },
	{ "Quảng Trị", "Quang Tri", 106.25, 9212 },
	{ "Bình Phước", "Binh Phuoc", 106.25, 9212 },
	{ "Bắc Kạn", "Bac Kan", 106.50, 9213 },
	{ "Thái Nguyên", "Thai Nguyen", 106.50, 9213 },
	{ "Bắc Giang", "Bac Giang", 107.00, 9214 },
	{ "Thừa Thiên Huế", "Thua Thien Hue", 107.00, 9214 },
	{ "Lạng Sơn", "Lang Son", 107.25, 9215 },
	{ "Kon Tum", "Kon Tum", 107.50, 9216 },
	{ "Quảng Ninh", "Quang Ninh", 107.75, 5899 },
	{ "Đồng Nai", "Dong Nai", 107.75, 5899 },
	{ "Bà Rịa – Vũng Tàu", "Ba Ria - Vung Tau", 107.75, 5899 },
	{ "Quảng Nam", "Quang Nam", 107.75, 5899 },
	{ "Lâm Đồng", "Lam Dong", 107.75, 5899 },
	{ "Đà Nẵng", "Da Nang", 107.75, 5899 },
	{ "Quảng Ngãi", "Quang Ngai", 108.00, 5898 },
	{ "Ninh Thuận", "Ninh Thuan", 108.25, 9217 },
	{ "Khánh Hòa", "Khanh Hoa", 108.25, 9217 },
	{ "Bình Định", "Binh Dinh", 108.25, 9217 },
	{ "Đắk Lắk", "Dak Lak", 108.50, 9218 },
	{ "Đắk Nông", "Dak Nong", 108.50, 9218 },
	{ "Phú Yên", "Phu Yen", 108.50, 9218 },
	{ "Gia Lai", "Gia Lai", 108.50, 9218 },
	{ "Bình Thuận", "Binh Thuan", 108.50, 9218 },
};

#define PROVINCE_COUNT (sizeof(provinces) / sizeof(provinces[0]))

/* Other names clients use for a province, as folded search keys. */
static const struct {
	const char *key;
	int epsg;
} province_aliases[] = {
	{ "hochiminh", 9210 }, { "tphcm", 9210 },  { "hcm", 9210 },
	{ "saigon", 9210 },    { "hue", 9214 },    { "thuathien", 9214 },
	{ "vungtau", 5899 },   { "bariavungtau", 5899 },
};

#define ALIAS_COUNT (sizeof(province_aliases) / sizeof(province_aliases[0]))

/* Deprecated EPSG records with false easting and northing swapped. */
static const int deprecated_codes[][2] = {
	{ 6956, 5896 }, { 6957, 5897 }, { 6958, 5898 }, { 6959, 5899 },
};

size_t vn2000_crs_count(void)
{
	return CATALOGUE_SIZE;
}

const struct vn2000_crs *vn2000_crs_at(size_t index)
{
	return index < CATALOGUE_SIZE ? &catalogue[index] : NULL;
}

size_t vn2000_province_count(void)
{
	return PROVINCE_COUNT;
}

const struct vn2000_province *vn2000_province_at(size_t index)
{
	return index < PROVINCE_COUNT ? &provinces[index] : NULL;
}

const struct vn2000_crs *vn2000_crs_by_epsg(int epsg)
{
	if (epsg <= 0)
		return NULL;
	for (size_t i = 0; i < CATALOGUE_SIZE; i++)
		if (catalogue[i].epsg == epsg)
			return &catalogue[i];
	return NULL;
}

int vn2000_crs_deprecated(int epsg)
{
	for (size_t i = 0; i < sizeof(deprecated_codes) / sizeof(deprecated_codes[0]); i++)
		if (deprecated_codes[i][0] == epsg)
			return deprecated_codes[i][1];
	return 0;
}

const struct vn2000_crs *vn2000_crs_by_meridian(double central_meridian)
{
	const struct vn2000_crs *other = NULL;

	if (!isfinite(central_meridian))
		return NULL;
	for (size_t i = 0; i < CATALOGUE_SIZE; i++) {
		const struct vn2000_crs *c = &catalogue[i];

		if (c->datum != VN2000_DATUM_VN2000 || c->scale_factor == 0 ||
		    fabs(c->central_meridian - central_meridian) > 1e-7)
			continue;
		if (c->scale_factor == 0.9999)
			return c;
		if (!other)
			other = c;
	}
	return other;
}

/* Map a code point of Latin-1 or Latin Extended-A to its base letter. */
static char fold_latin(unsigned cp)
{
	/* U+00C0 .. U+00FF, lower-cased; '*' marks non-letters. */
	static const char latin1[] =
		"aaaaaaaceeeeiiiidnooooo*ouuuuyps"
		"aaaaaaaceeeeiiiidnooooo*ouuuuypy";

	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0] == '*' ? 0 : latin1[cp - 0xC0];
	switch (cp) {
	case 0x102: case 0x103: return 'a'; /* Ă ă */
	case 0x110: case 0x111: return 'd'; /* Đ đ */
	case 0x128: case 0x129: return 'i'; /* Ĩ ĩ */
	case 0x168: case 0x169: return 'u'; /* Ũ ũ */
	case 0x1A0: case 0x1A1: return 'o'; /* Ơ ơ */
	case 0x1AF: case 0x1B0: return 'u'; /* Ư ư */
	default: return 0;
	}
}

/* Map a code point of Latin Extended Additional (U+1EA0 .. U+1EF9). */
static char fold_vietnamese(unsigned cp)
{
	if (cp >= 0x1EA0 && cp <= 0x1EB7)
		return 'a';
	if (cp >= 0x1EB8 && cp <= 0x1EC7)
		return 'e';
	if (cp >= 0x1EC8 && cp <= 0x1ECB)
		return 'i';
	if (cp >= 0x1ECC && cp <= 0x1EE3)
		return 'o';
	if (cp >= 0x1EE4 && cp <= 0x1EF1)
		return 'u';
	if (cp >= 0x1EF2 && cp <= 0x1EF9)
		return 'y';
	return 0;
}

/* Decode one UTF-8 sequence; returns its length, 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) |
		      (s[2] & 0x3Fu);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
		*cp = 0x10000; /* outside every table below */
		return 4;
	}
	return 0;
}

size_t vn2000_fold_name(const char *name, char *out, size_t out_size)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len = 0;

	if (!out || out_size == 0)
		return 0;
	out[0] = '\0';
	if (!name)
		return 0;
	while (*s) {
		unsigned cp;
		size_t n = utf8_decode(s, &cp);
		char c = 0;

		if (n == 0) {
			s++; /* invalid byte: skip it */
			continue;
		}
		s += n;
		if (cp < 0x80 && isalnum((int)cp))
			c = (char)tolower((int)cp);
		else if (cp >= 0x80)
			c = cp >= 0x1EA0 ? fold_vietnamese(cp) : fold_latin(cp);
		/* Combining marks (decomposed input) and punctuation drop out. */
		if (!c)
			continue;
		if (len + 1 >= out_size) {
			out[0] = '\0';
			return 0;
		}
		out[len++] = c;
	}
	out[len] = '\0';
	return len;
}

/* Case-insensitive prefix test; returns the rest of s or NULL. */
static const char *skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* Parse a whole string as an EPSG code; returns 0 when it is not one. */
static int parse_code(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v <= 0 || v > 999999)
		return 0;
	return (int)v;
}

/* Skip an optional version in a URN ("9.1:" or ":"); NULL when malformed. */
static const char *skip_urn_version(const char *s)
{
	const char *colon = strchr(s, ':');

	return colon ? colon + 1 : NULL;
}

/* Return the EPSG code named by an EPSG id, URN or URI, 0 otherwise. */
static int epsg_code_of(const char *name)
{
	static const char *const uri_prefixes[] = {
		"http://www.opengis.net/def/crs/EPSG/",
		"https://www.opengis.net/def/crs/EPSG/",
	};
	static const char *const urn_prefixes[] = {
		"urn:ogc:def:crs:EPSG:",
		"urn:x-ogc:def:crs:EPSG:",
	};
	const char *rest;

	if ((rest = skip_prefix(name, "EPSG:")) != NULL)
		return parse_code(rest);
	for (size_t i = 0; i < 2; i++) {
		rest = skip_prefix(name, urn_prefixes[i]);
		if (rest && (rest = skip_urn_version(rest)) != NULL)
			return parse_code(rest);
	}
	for (size_t i = 0; i < 2; i++) {
		rest = skip_prefix(name, uri_prefixes[i]);
		if (rest && (rest = strchr(rest, '/')) != NULL)
			return parse_code(rest + 1);
	}
	return 0;
}

/* True when name is one of the spellings of OGC CRS84. */
static bool is_crs84(const char *name)
{
	static const char *const forms[] = {
		"CRS:84",
		"CRS84",
		"OGC:CRS84",
		"urn:ogc:def:crs:OGC:1.3:CRS84",
		"urn:ogc:def:crs:OGC::CRS84",
		"urn:ogc:def:crs:OGC:2:84",
		"http://www.opengis.net/def/crs/OGC/1.3/CRS84",
		"https://www.opengis.net/def/crs/OGC/1.3/CRS84",
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcasecmp(name, forms[i]) == 0)
			return true;
	return false;
}

/* Find a TM-3 zone by an exact folded province name or alias. */
static const struct vn2000_crs *find_province(const char *key)
{
	char buf[256];

	for (size_t i = 0; i < PROVINCE_COUNT; i++) {
		if ((vn2000_fold_name(provinces[i].name_vi, buf, sizeof(buf)) &&
		     strcmp(buf, key) == 0) ||
		    (vn2000_fold_name(provinces[i].name_ascii, buf,
				      sizeof(buf)) &&
		     strcmp(buf, key) == 0))
			return vn2000_crs_by_epsg(provinces[i].epsg);
	}
	for (size_t i = 0; i < ALIAS_COUNT; i++)
		if (strcmp(province_aliases[i].key, key) == 0)
			return vn2000_crs_by_epsg(province_aliases[i].epsg);
	return NULL;
}

/*
 * Find a CRS by a folded catalogue name ("vn2000tm310545") or province name,
 * with or without "Tỉnh", "Thành phố" or "TP" in front.
 */
static const struct vn2000_crs *find_by_key(const char *key)
{
	static const char *const admin_prefixes[] = { "thanhpho", "tinh",
						      "tp" };
	const struct vn2000_crs *crs;
	char buf[256];

	for (size_t i = 0; i < CATALOGUE_SIZE; i++)
		if (vn2000_fold_name(catalogue[i].name_en, buf, sizeof(buf)) &&
		    strcmp(buf, key) == 0)
			return &catalogue[i];
	if ((crs = find_province(key)) != NULL)
		return crs;
	for (size_t p = 0; p < 3; p++) {
		size_t n = strlen(admin_prefixes[p]);

		if (strncmp(key, admin_prefixes[p], n) == 0 && key[n] != '\0' &&
		    (crs = find_province(key + n)) != NULL)
			return crs;
	}
	return NULL;
}

const struct vn2000_crs *vn2000_crs_find(const char *name)
{
	char trimmed[256];
	char key[256];
	size_t len;
	int code;

	if (!name)
		return NULL;
	while (isspace((unsigned char)*name))
		name++;
	len = strlen(name);
	while (len > 0 && isspace((unsigned char)name[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(trimmed))
		return NULL;
	memcpy(trimmed, name, len);
	trimmed[len] = '\0';

	if (is_crs84(trimmed))
		return &catalogue[1];
	code = epsg_code_of(trimmed);
	if (code == 0)
		code = parse_code(trimmed);
	if (code != 0)
		return vn2000_crs_deprecated(code) ? NULL
						   : vn2000_crs_by_epsg(code);
	if (vn2000_fold_name(trimmed, key, sizeof(key)) == 0)
		return NULL;
	return find_by_key(key);
}

const struct vn2000_crs *vn2000_crs_find_exact(const char *name)
{
	size_t len;

	if (name == NULL)
		return NULL;
	len = strlen(name);
	if (len == 0 || isspace((unsigned char)name[0]) ||
	    isspace((unsigned char)name[len - 1]))
		return NULL;
	return vn2000_crs_find(name);
}

/* True when `token` (up to its end) has no place in a pipeline step. */
static bool step_token_dropped(const char *token, size_t len)
{
	static const char *const dropped[] = {
		"+no_defs", "+type=crs", "+wktext", "+towgs84=", "+nadgrids=",
		"+units=m", "+geoidgrids=", "+vunits=",
	};

	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		size_t n = strlen(dropped[i]);

		if (dropped[i][n - 1] == '=' ? len >= n && strncmp(token, dropped[i], n) == 0
					     : len == n && strncmp(token, dropped[i], n) == 0)
			return true;
	}
	return false;
}

int vn2000_crs_step(const struct vn2000_crs *crs, bool inverse, char *out,
		    size_t out_size)
{
	const char *s = crs->proj_def;
	size_t len;
	int n;

	if (crs->geographic) {
		n = snprintf(out, out_size,
			     inverse ? "+proj=unitconvert +xy_in=deg +xy_out=rad"
				     : "+proj=unitconvert +xy_in=rad +xy_out=deg");
		return n < 0 || (size_t)n >= out_size ? -1 : 0;
	}

	/* "+inv" goes from the CRS back to geographic radians. */
	n = snprintf(out, out_size, "%s", inverse ? "+inv" : "");
	if (n < 0 || (size_t)n >= out_size)
		return -1;
	len = (size_t)n;
	while (*s) {
		size_t tlen;

		while (*s == ' ')
			s++;
		tlen = strcspn(s, " ");
		if (tlen > 0 && !step_token_dropped(s, tlen)) {
			if (len + tlen + 2 > out_size)
				return -1;
			if (len > 0)
				out[len++] = ' ';
			memcpy(out + len, s, tlen);
			len += tlen;
		}
		s += tlen;
	}
	out[len] = '\0';
	return 0;
}

bool vn2000_crs_clip_region(const struct vn2000_crs *crs, double box[4])
{
	/*
	 * EPSG extent 1252 "Vietnam", onshore and offshore.
	 * NOTE: it stops at 112.55°E, so a box reaching the Trường Sa
	 * islands further east is cut there.
	 */
	static const double vietnam[4] = { 102.14, 5.67, 112.55, 23.4 };
	bool known = crs->area[0] < crs->area[2] && crs->area[1] < crs->area[3];

	if (crs->datum == VN2000_DATUM_VN2000) {
		memcpy(box, vietnam, sizeof(vietnam));
		return true;
	}
	if (!known)
		return false;
	memcpy(box, crs->area, sizeof(crs->area));
	return true;
}
