/*
 * The land-use code table and the map fill colour of each code.
 *
 * Codes and names, in five sets kept apart by `source`:
 *  - Circular 25/2014/TT-BTNMT (cadastral maps), Appendix 01 (Phụ lục 01),
 *    section III, item 13: the 53 codes drawn on cadastral maps, checked
 *    against the Official Gazette print (Công báo số 647+648, 06-7-2014).
 *    In force from 05-7-2014. This is the only set read in an official text.
 *  - Statistics aggregates and coastal water codes (NNP, SXN, ..., MVB):
 *    taken from the public legend files Esrivn/Land-planning
 *    (LegendLand/src/runtime/dataChuGiai.ts) and Esrivn/Urban_planning
 *    (urbansearch/src/runtime/typeLand.tsx). They belong to the list of
 *    Circular 28/2014/TT-BTNMT and Circular 27/2018/TT-BTNMT, Appendix 01,
 *    whose text was not read.
 *  - Codes in use before 05-7-2014 (COC, LNC, RSN, TSL, ...), from public
 *    web tables that attribute them to Circular 55/2013/TT-BTNMT, Table 11.
 *  - Older aggregate codes (OTC, CQA, CTS, TSK, TTN, SMN) found only in
 *    unattributed land-registration catalogues; validity dates unknown.
 *  - Codes of Circular 08/2024/TT-BTNMT (from 01-8-2024). Its text was NOT
 *    read: these rows are what several unattributed public catalogues agree
 *    on, and rows marked _SINGLE rest on one catalogue alone. KĐD (with the
 *    non-ASCII letter Đ) is named by two of those catalogues.
 *
 * Colours: NO official colour appendix was read (candidates are the
 * land-use status map rules of Circular 27/2018/TT-BTNMT and the planning
 * map rules, and Circular 08/2024/TT-BTNMT Appendix V). The values are the
 * palette most public legend tables share: Esrivn/Land-planning,
 * Esrivn/Urban_planning and huy-gis/quyhoach_HamTan (data/colorstyle.js),
 * corroborated by unattributed code. Where sources disagree the value most
 * of them give is kept. Known disputes:
 *  - LMU (salt land) is #000000 here, though it is probably a black hatch
 *    on white.
 *  - PNN equals NNP (#FFFF64), probably a copy error in the sources.
 *  - MNC is #B4FFFF in three sources and #A0FFFF in two.
 *  - CNT's #E6E682 rests on one unverified source.
 * No colour
 * is known for CNC, DCT, DDD, DKT, DMT, DPC, MCS and KĐD.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

/* Source of a row of the code table, best confidence first. */
enum landuse_source {
	LANDUSE_SRC_TT25_2014,       /* official text, read */
	LANDUSE_SRC_STATISTICS,      /* attributed public legend files */
	LANDUSE_SRC_LEGACY,          /* web tables citing TT 55/2013 */
	LANDUSE_SRC_CATALOGUE,       /* unattributed catalogues */
	LANDUSE_SRC_TT08_2024,       /* secondary, several sources agree */
	LANDUSE_SRC_TT08_2024_SINGLE /* secondary, one source */
};

struct landuse_code {
	const char *code;       /* UTF-8 */
	const char *name_vi;    /* UTF-8 NFC */
	const char *name_en;
	const char *valid_from; /* ISO date, "" when not established */
	const char *valid_to;
	enum landuse_source source;
};

/*
 * Sorted by the bytes of the code. Rows of one code are in order of
 * confidence, so the first row of a code gives its names. A code may have
 * rows from several periods with different meanings (RSN before 2014 and
 * after 2024).
 */
static const struct landuse_code landuse_codes[] = {
	{"BCS", "Đất bằng chưa sử dụng",
	 "Unused flat land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"BCS", "Đất bằng chưa sử dụng",
	 "Unused flat land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"BHK", "Đất bằng trồng cây hàng năm khác",
	 "Flat land for other annual crops",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"CAN", "Đất an ninh",
	 "Security (police) land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"CAN", "Đất an ninh",
	 "Security land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"CCC", "Đất sử dụng vào mục đích công cộng",
	 "Public-purpose land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"CDG", "Đất chuyên dùng",
	 "Special-use land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"CHN", "Đất trồng cây hàng năm",
	 "Annual crop land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"CLN", "Đất trồng cây lâu năm",
	 "Perennial crop land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"CLN", "Đất trồng cây lâu năm",
	 "Perennial crop land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"CNC", "Đất khu công nghệ cao",
	 "High-tech-zone land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"CNT", "Đất chăn nuôi tập trung",
	 "Concentrated livestock-farming land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"COC", "Đất cỏ dùng vào chăn nuôi",
	 "Grassland used for livestock",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"CQA", "Đất quốc phòng, an ninh",
	 "Defence and security land (aggregate)",
	 "", "", LANDUSE_SRC_CATALOGUE},
	{"CQP", "Đất quốc phòng",
	 "Defence land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"CQP", "Đất quốc phòng",
	 "Defence land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"CSD", "Nhóm đất chưa sử dụng",
	 "Unused land group (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"CSK", "Đất sản xuất, kinh doanh phi nông nghiệp",
	 "Non-agricultural production and business land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"CTS", "Đất trụ sở cơ quan, công trình sự nghiệp",
	 "Office and public-service works land (aggregate)",
	 "", "", LANDUSE_SRC_CATALOGUE},
	{"DBV", "Đất công trình bưu chính, viễn thông",
	 "Post and telecommunications land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DBV", "Đất công trình hạ tầng bưu chính, viễn thông, công nghệ thông tin",
	 "Post, telecom and IT infrastructure land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DCH", "Đất chợ",
	 "Market land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DCH", "Đất chợ dân sinh, chợ đầu mối",
	 "Local and wholesale market land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DCK", "Đất công trình công cộng khác",
	 "Other public-works land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DCK", "Đất công trình công cộng khác",
	 "Other public-works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DCS", "Đất đồi núi chưa sử dụng",
	 "Unused hilly/mountain land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DCS", "Đất đồi núi chưa sử dụng",
	 "Unused hilly/mountain land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DCT", "Đất công trình cấp nước, thoát nước",
	 "Water-supply and drainage works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DDD", "Đất có di tích lịch sử - văn hóa, danh lam thắng cảnh, di sản thiên nhiên",
	 "Land with relics, scenic landscapes, natural heritage",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DDL", "Đất có danh lam thắng cảnh",
	 "Land with scenic landscapes",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DDT", "Đất có di tích lịch sử - văn hóa",
	 "Land with historical-cultural relics",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DGD", "Đất xây dựng cơ sở giáo dục và đào tạo",
	 "Land for education and training facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DGD", "Đất xây dựng cơ sở giáo dục và đào tạo",
	 "Land for education and training facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DGT", "Đất giao thông",
	 "Transport land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DGT", "Đất công trình giao thông",
	 "Transport-works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DKH", "Đất xây dựng cơ sở khoa học và công nghệ",
	 "Land for science and technology facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DKH", "Đất xây dựng cơ sở khoa học và công nghệ",
	 "Land for science and technology facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DKT", "Đất xây dựng cơ sở khí tượng thủy văn",
	 "Land for hydro-meteorological facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DKV", "Đất khu vui chơi, giải trí công cộng",
	 "Public recreation and entertainment land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DKV", "Đất khu vui chơi, giải trí công cộng, sinh hoạt cộng đồng",
	 "Public recreation and community-activity land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DMT", "Đất xây dựng cơ sở môi trường",
	 "Land for environmental facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DNG", "Đất xây dựng cơ sở ngoại giao",
	 "Land for diplomatic facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DNG", "Đất xây dựng cơ sở ngoại giao",
	 "Land for diplomatic facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DNL", "Đất công trình năng lượng",
	 "Energy-works land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DNL", "Đất công trình năng lượng, chiếu sáng công cộng",
	 "Energy and public-lighting works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DPC", "Đất công trình phòng, chống thiên tai",
	 "Disaster-prevention works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DRA", "Đất bãi thải, xử lý chất thải",
	 "Waste dump and treatment land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DRA", "Đất công trình xử lý chất thải",
	 "Waste-treatment works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"DSH", "Đất sinh hoạt cộng đồng",
	 "Community-activity land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DSK", "Đất xây dựng công trình sự nghiệp khác",
	 "Land for other public-service works",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DSN", "Đất xây dựng công trình sự nghiệp",
	 "Public-service works land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"DTL", "Đất thuỷ lợi",
	 "Irrigation/water-works land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DTL", "Đất công trình thủy lợi",
	 "Irrigation-works land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DTS", "Đất xây dựng trụ sở của tổ chức sự nghiệp",
	 "Land for offices of public-service organisations",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DTT", "Đất xây dựng cơ sở thể dục thể thao",
	 "Land for sports facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DTT", "Đất xây dựng cơ sở thể dục, thể thao",
	 "Land for sports facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DVH", "Đất xây dựng cơ sở văn hóa",
	 "Land for cultural facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DVH", "Đất xây dựng cơ sở văn hóa",
	 "Land for cultural facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"DXH", "Đất xây dựng cơ sở dịch vụ xã hội",
	 "Land for social-service facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DYT", "Đất xây dựng cơ sở y tế",
	 "Land for health facilities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"DYT", "Đất xây dựng cơ sở y tế",
	 "Land for health facilities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"HNK", "Đất trồng cây hàng năm khác",
	 "Other annual crop land (aggregate of BHK, NHK)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"HNK", "Đất trồng cây hằng năm khác",
	 "Other annual crop land (leaf code)",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"KĐD", "Đất cơ sở bảo tồn đa dạng sinh học",
	 "Biodiversity conservation facility land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"LMU", "Đất làm muối",
	 "Salt-making land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"LMU", "Đất làm muối",
	 "Salt-making land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"LNC", "Đất trồng cây công nghiệp lâu năm",
	 "Perennial industrial crop land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"LNK", "Đất trồng cây lâu năm khác",
	 "Other perennial crop land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"LNP", "Đất lâm nghiệp",
	 "Forestry land (aggregate of RSX, RPH, RDD)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"LNQ", "Đất trồng cây ăn quả lâu năm",
	 "Perennial fruit-tree land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"LUA", "Đất trồng lúa",
	 "Rice land (aggregate of LUC, LUK, LUN)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"LUC", "Đất chuyên trồng lúa nước",
	 "Land specialised for wet rice",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"LUC", "Đất chuyên trồng lúa",
	 "Land specialised for rice",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"LUK", "Đất trồng lúa nước còn lại",
	 "Other wet-rice land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"LUK", "Đất trồng lúa còn lại",
	 "Other rice land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"LUN", "Đất lúa nương",
	 "Upland (hill) rice land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"MCS", "Đất có mặt nước chưa sử dụng",
	 "Unused water-surface land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024_SINGLE},
	{"MNC", "Đất có mặt nước chuyên dùng",
	 "Special-use water-surface land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"MNC", "Đất có mặt nước chuyên dùng dạng ao, hồ, đầm, phá",
	 "Special-use water surface (ponds, lakes, lagoons)",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"MVB", "Đất có mặt nước ven biển",
	 "Coastal water-surface land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"MVK", "Đất mặt nước ven biển có mục đích khác",
	 "Coastal water surface for other purposes",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"MVR", "Đất mặt nước ven biển có rừng ngập mặn",
	 "Coastal water surface with mangroves",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"MVT", "Đất mặt nước ven biển nuôi trồng thuỷ sản",
	 "Coastal water surface used for aquaculture",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"NCS", "Núi đá không có rừng cây",
	 "Rocky mountain without forest",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"NCS", "Núi đá không có rừng cây",
	 "Rocky mountain without forest",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"NHK", "Đất nương rẫy trồng cây hàng năm khác",
	 "Shifting/upland fields for other annual crops",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"NKH", "Đất nông nghiệp khác",
	 "Other agricultural land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"NKH", "Đất nông nghiệp khác",
	 "Other agricultural land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"NNP", "Nhóm đất nông nghiệp",
	 "Agricultural land group (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"NTD", "Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng",
	 "Cemetery, funeral-home and crematorium land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"NTD", "Đất nghĩa trang, nhà tang lễ, cơ sở hỏa táng; đất cơ sở lưu trữ tro cốt",
	 "Cemetery, funeral home, crematorium, ash-storage land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"NTS", "Đất nuôi trồng thủy sản",
	 "Aquaculture land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"NTS", "Đất nuôi trồng thủy sản",
	 "Aquaculture land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"OCT", "Đất ở",
	 "Residential land (aggregate of ONT, ODT); some sources write OTC",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"ODT", "Đất ở tại đô thị",
	 "Urban residential land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"ODT", "Đất ở tại đô thị",
	 "Urban residential land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"ONT", "Đất ở tại nông thôn",
	 "Rural residential land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"ONT", "Đất ở tại nông thôn",
	 "Rural residential land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"OTC", "Đất ở",
	 "Residential land (aggregate; spelling variant of OCT)",
	 "", "", LANDUSE_SRC_CATALOGUE},
	{"PNK", "Đất phi nông nghiệp khác",
	 "Other non-agricultural land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"PNK", "Đất phi nông nghiệp khác",
	 "Other non-agricultural land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"PNN", "Nhóm đất phi nông nghiệp",
	 "Non-agricultural land group (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"RDD", "Đất rừng đặc dụng",
	 "Special-use forest land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"RDD", "Đất rừng đặc dụng",
	 "Special-use forest land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"RDK", "Đất khoanh nuôi phục hồi rừng đặc dụng",
	 "Special-use forest land under regeneration",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RDM", "Đất trồng rừng đặc dụng",
	 "Land for planting special-use forest",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RDN", "Đất có rừng tự nhiên đặc dụng",
	 "Natural special-use forest land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RDT", "Đất có rừng trồng đặc dụng",
	 "Planted special-use forest land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RPH", "Đất rừng phòng hộ",
	 "Protection forest land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"RPH", "Đất rừng phòng hộ",
	 "Protection forest land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"RPK", "Đất khoanh nuôi phục hồi rừng phòng hộ",
	 "Protection forest land under regeneration",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RPM", "Đất trồng rừng phòng hộ",
	 "Land for planting protection forest",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RPN", "Đất có rừng tự nhiên phòng hộ",
	 "Natural protection forest land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RPT", "Đất có rừng trồng phòng hộ",
	 "Planted protection forest land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RSK", "Đất khoanh nuôi phục hồi rừng sản xuất",
	 "Production forest land under regeneration",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RSM", "Đất trồng rừng sản xuất",
	 "Land for planting production forest",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RSN", "Đất có rừng tự nhiên sản xuất",
	 "Natural production forest land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RSN", "Đất rừng sản xuất là rừng tự nhiên",
	 "Production forest land that is natural forest",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"RST", "Đất có rừng trồng sản xuất",
	 "Planted production forest land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"RSX", "Đất rừng sản xuất",
	 "Production forest land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"RSX", "Đất rừng sản xuất",
	 "Production forest land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"SKC", "Đất cơ sở sản xuất phi nông nghiệp",
	 "Land for non-agricultural production establishments",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SKC", "Đất cơ sở sản xuất phi nông nghiệp",
	 "Land for non-agricultural production establishments",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"SKK", "Đất khu công nghiệp",
	 "Industrial-zone land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SKK", "Đất khu công nghiệp",
	 "Industrial-zone land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"SKN", "Đất cụm công nghiệp",
	 "Industrial-cluster land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SKN", "Đất cụm công nghiệp",
	 "Industrial-cluster land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"SKS", "Đất sử dụng cho hoạt động khoáng sản",
	 "Land used for mineral activities",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SKS", "Đất sử dụng cho hoạt động khoáng sản",
	 "Land used for mineral activities",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"SKT", "Đất khu chế xuất",
	 "Export-processing-zone land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SKX", "Đất sản xuất vật liệu xây dựng, làm đồ gốm",
	 "Land for building-material and pottery production",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SMN", "Đất sông suối và mặt nước chuyên dùng",
	 "Rivers, streams and special-use water surfaces (aggregate)",
	 "", "", LANDUSE_SRC_CATALOGUE},
	{"SON", "Đất sông, ngòi, kênh, rạch, suối",
	 "River, canal and stream land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"SON", "Đất có mặt nước dạng sông, ngòi, kênh, rạch, suối",
	 "Water surface in the form of rivers, canals, streams",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"SXN", "Đất sản xuất nông nghiệp",
	 "Agricultural production land (aggregate)",
	 "", "", LANDUSE_SRC_STATISTICS},
	{"TIN", "Đất cơ sở tín ngưỡng",
	 "Belief (shrine, communal house) land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"TIN", "Đất cơ sở tín ngưỡng",
	 "Belief-establishment land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"TMD", "Đất thương mại, dịch vụ",
	 "Commercial and service land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"TMD", "Đất thương mại, dịch vụ",
	 "Commercial and service land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"TON", "Đất cơ sở tôn giáo",
	 "Religious-establishment land",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"TON", "Đất cơ sở tôn giáo",
	 "Religious-establishment land",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"TSC", "Đất xây dựng trụ sở cơ quan",
	 "Land for government agency offices",
	 "2014-07-05", "", LANDUSE_SRC_TT25_2014},
	{"TSC", "Đất xây dựng trụ sở cơ quan",
	 "Land for government agency offices",
	 "2024-08-01", "", LANDUSE_SRC_TT08_2024},
	{"TSK", "Đất trụ sở khác",
	 "Other office land",
	 "", "", LANDUSE_SRC_CATALOGUE},
	{"TSL", "Đất nuôi trồng thủy sản nước lợ, mặn",
	 "Brackish/salt-water aquaculture land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"TSN", "Đất nuôi trồng thủy sản nước ngọt",
	 "Fresh-water aquaculture land",
	 "", "2014-07-04", LANDUSE_SRC_LEGACY},
	{"TTN", "Đất tôn giáo, tín ngưỡng",
	 "Religious and belief land (aggregate)",
	 "", "", LANDUSE_SRC_CATALOGUE},
};

struct landuse_color {
	const char *code;
	uint32_t rgb;           /* 0xRRGGBB */
};

/* Sorted by the bytes of the code. */
static const struct landuse_color landuse_colors[] = {
	{"BCS", 0xFFFFFE},
	{"BHK", 0xFFF0B4},
	{"CAN", 0xFF5046},
	{"CCC", 0xFFAAA0},
	{"CDG", 0xFFA0AA},
	{"CHN", 0xFFFC78},
	{"CLN", 0xFFD2A0},
	{"CNT", 0xE6E682},
	{"COC", 0xE6E682},
	{"CQA", 0xFF7878},
	{"CQP", 0xFF6450},
	{"CSD", 0xFFFFFE},
	{"CSK", 0xFFA0AA},
	{"CTS", 0xFFA0AA},
	{"DBV", 0xFFAAA0},
	{"DCH", 0xFFAAA0},
	{"DCK", 0xFFAAA0},
	{"DCS", 0xFFFFFE},
	{"DDL", 0xFFAAA0},
	{"DDT", 0xFFAAA0},
	{"DGD", 0xFFAAA0},
	{"DGT", 0xFFAA32},
	{"DKH", 0xFFAAA0},
	{"DKV", 0xFFAAA0},
	{"DNG", 0xFFAAA0},
	{"DNL", 0xFFAAA0},
	{"DRA", 0xCDAACD},
	{"DSH", 0xFFAAA0},
	{"DSK", 0xFFAAA0},
	{"DSN", 0xFFA0AA},
	{"DTL", 0xAAFFFF},
	{"DTS", 0xFAAAA0},
	{"DTT", 0xFFAAA0},
	{"DVH", 0xFFAAA0},
	{"DXH", 0xFFAAA0},
	{"DYT", 0xFFAAA0},
	{"HNK", 0xFFF0B4},
	{"LMU", 0x000000},
	{"LNC", 0xFFD7AA},
	{"LNK", 0xFFD7AA},
	{"LNP", 0xAAFF32},
	{"LNQ", 0xFFD7AA},
	{"LUA", 0xFFFC82},
	{"LUC", 0xFFFC8C},
	{"LUK", 0xFFFC96},
	{"LUN", 0xFFFCB4},
	{"MNC", 0xB4FFFF},
	{"MVB", 0xB4FFFF},
	{"MVK", 0xB4FFFF},
	{"MVR", 0xB4FFFF},
	{"MVT", 0xB4FFFF},
	{"NCS", 0xE6E6C8},
	{"NHK", 0xFFF0B4},
	{"NKH", 0xF5FFB4},
	{"NNP", 0xFFFF64},
	{"NTD", 0xD2D2D2},
	{"NTS", 0xAAFFFF},
	{"OCT", 0xFFB4FF},
	{"ODT", 0xFFA0FF},
	{"ONT", 0xFFD0FF},
	{"OTC", 0xFFB4FF},
	{"PNK", 0xFFAAA0},
	{"PNN", 0xFFFF64},
	{"RDD", 0x6EFF64},
	{"RDK", 0x6EFF64},
	{"RDM", 0x6EFF64},
	{"RDN", 0x6EFF64},
	{"RDT", 0x6EFF64},
	{"RPH", 0xBEFF1E},
	{"RPK", 0xBEFF1E},
	{"RPM", 0xBEFF1E},
	{"RPN", 0xBEFF1E},
	{"RPT", 0xBEFF1E},
	{"RSK", 0xB4FFB4},
	{"RSM", 0xB4FFB4},
	{"RSN", 0xB4FFB4},
	{"RST", 0xB4FFB4},
	{"RSX", 0xB4FFB4},
	{"SKC", 0xFAAAA0},
	{"SKK", 0xFAAAA0},
	{"SKN", 0xFAAAA0},
	{"SKS", 0xCDAACD},
	{"SKT", 0xFAAAA0},
	{"SKX", 0xCDAACD},
	{"SMN", 0xB4FFFF},
	{"SON", 0xA0FFFF},
	{"SXN", 0xFFFC6E},
	{"TIN", 0xFFAAA0},
	{"TMD", 0xFAAAA0},
	{"TON", 0xFFAAA0},
	{"TSC", 0xFFAAA0},
	{"TSK", 0xFAAAA0},
	{"TSL", 0xAAFFFF},
	{"TSN", 0xAAFFFF},
	{"TTN", 0xFFAAA0},
};

#define LANDUSE_CODE_MAX 16

static bool landuse_code_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

bool render_landuse_first_code(const char *value, char *code, size_t size)
{
	size_t n = 0;
	const unsigned char *p;

	if (value == NULL || size == 0)
		return false;
	p = (const unsigned char *)value;
	while (*p == ' ' || *p == '\t')
		p++;

	/* The code runs until the first byte that is not a letter: '+', '(',
	   '*', '-', a space... */
	for (; landuse_code_byte(*p); p++) {
		unsigned char c = *p;

		if (n + 1 >= size)
			return false;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		/* U+0111 "đ" (C4 91) becomes U+0110 "Đ" (C4 90). */
		if (c == 0x91 && n > 0 && (unsigned char)code[n - 1] == 0xC4)
			c = 0x90;
		code[n++] = (char)c;
	}
	code[n] = '\0';
	return n > 0;
}

/* Index of the first row of `code` in landuse_codes, or -1. */
static long landuse_code_find(const char *code)
{
	size_t lo = 0;
	size_t hi = sizeof(landuse_codes) / sizeof(landuse_codes[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(landuse_codes[mid].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof(landuse_codes) / sizeof(landuse_codes[0]) &&
	    strcmp(landuse_codes[lo].code, code) == 0)
		return (long)lo;
	return -1;
}

static const struct landuse_color *landuse_color_find(const char *code)
{
	size_t lo = 0;
	size_t hi = sizeof(landuse_colors) / sizeof(landuse_colors[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(landuse_colors[mid].code, code);

		if (cmp == 0)
			return &landuse_colors[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool render_landuse_color(const char *code, uint32_t *rgb)
{
	char first[LANDUSE_CODE_MAX];
	const struct landuse_color *entry;

	if (!render_landuse_first_code(code, first, sizeof(first)))
		return false;
	entry = landuse_color_find(first);
	if (entry == NULL)
		return false;
	if (rgb != NULL)
		*rgb = entry->rgb;
	return true;
}

const char *render_landuse_name(const char *code, const char *lang)
{
	char first[LANDUSE_CODE_MAX];
	long index;

	if (!render_landuse_first_code(code, first, sizeof(first)))
		return NULL;
	index = landuse_code_find(first);
	if (index < 0)
		return NULL;
	if (lang != NULL && strcmp(lang, "en") == 0)
		return landuse_codes[index].name_en;
	return landuse_codes[index].name_vi;
}
