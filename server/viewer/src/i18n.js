// Texts of the viewer in Vietnamese (default) and English, and the labels
// of the attributes that vnsdi's land layers carry.

const texts = {
  vi: {
    pageTitle: 'Bản đồ đất đai — vnsdi',
    heading: 'Bản đồ đất đai',
    skip: 'Bỏ qua, đến bản đồ',
    menu: 'Bảng điều khiển',
    langSwitch: 'English',
    langSwitchLabel: 'Switch to English',
    layers: 'Lớp dữ liệu',
    opacity: 'Độ đậm',
    opacityOf: 'Độ đậm của lớp {title}',
    showLayer: 'Hiện lớp {title}',
    legend: 'Chú giải',
    legendOf: 'Chú giải lớp {title}',
    display: 'Hệ tọa độ hiển thị',
    displayWebMercator: 'Web Mercator (EPSG:3857)',
    displayZone: 'VN-2000, múi chiếu:',
    search: 'Tìm kiếm',
    searchParcel: 'Thửa đất theo tờ bản đồ và số thửa',
    sheet: 'Số hiệu tờ bản đồ',
    parcelNo: 'Số thửa',
    searchAddress: 'Theo địa chỉ',
    address: 'Địa chỉ',
    addressHint: 'Ví dụ: 110 Xô Viết Nghệ Tĩnh',
    searchCoord: 'Theo tọa độ',
    coordSystem: 'Hệ tọa độ',
    wgs84: 'WGS 84 (vĩ độ, kinh độ)',
    latitude: 'Vĩ độ (°)',
    longitude: 'Kinh độ (°)',
    northing: 'X — tọa độ Bắc (m)',
    easting: 'Y — tọa độ Đông (m)',
    find: 'Tìm',
    searching: 'Đang tìm…',
    noResult: 'Không tìm thấy thửa đất nào.',
    results: 'Tìm thấy {n} thửa đất.',
    resultsMore: 'Tìm thấy {n} thửa đất; chỉ liệt kê {shown} thửa đầu.',
    addressNearby: 'Không có địa chỉ trùng khớp hoàn toàn; {n} thửa trong vùng đang xem có địa chỉ chứa “{q}”.',
    parcelLabel: 'Tờ {sheet}, thửa {no}',
    coordBad: 'Tọa độ không hợp lệ: hãy nhập hai số.',
    coordOutside: 'Điểm nằm ngoài vùng sử dụng của hệ tọa độ đã chọn.',
    coordFound: 'Đã chuyển đến điểm: {wgs}; {vn}.',
    area: 'Chọn thửa đất theo vùng',
    drawStart: 'Vẽ vùng trên bản đồ',
    drawHelp: 'Nhấp để thêm đỉnh, nhấp đúp để kết thúc; phím Esc để hủy.',
    drawView: 'Dùng vùng đang xem',
    drawClear: 'Xóa vùng',
    drawCancel: 'Hủy vẽ',
    csv: 'Tải danh sách (CSV)',
    inArea: '{n} thửa đất giao với vùng đã chọn.',
    inAreaMore: '{n} thửa đất giao với vùng; danh sách hiển thị {shown} thửa đầu, tệp CSV có đủ.',
    areaTooLarge: 'Vùng có quá nhiều thửa (trên {max}); hãy chọn vùng nhỏ hơn.',
    areaInvalid: 'Vùng vừa vẽ không phải đa giác hợp lệ (các cạnh cắt nhau hoặc không có diện tích); hãy vẽ lại.',
    info: 'Thông tin đối tượng',
    close: 'Đóng',
    infoNone: 'Không có đối tượng nào tại điểm này.',
    infoHelp: 'Nhấp vào bản đồ, hoặc nhấn Enter khi bản đồ đang được chọn, để xem thông tin đối tượng tại tâm bản đồ.',
    mapLabel: 'Bản đồ. Dùng phím mũi tên để di chuyển, phím + và − để phóng to, thu nhỏ, Enter để xem thông tin tại tâm.',
    imagerySecret: 'Ảnh hàng không và ảnh vệ tinh không hiển thị ở mức thu phóng này: vùng đang xem rộng khoảng {area} km², vượt giới hạn {limit} km² của quy định bảo mật nhà nước. Hãy phóng to để xem ảnh.',
    loadError: 'Không tải được dữ liệu từ máy chủ: {detail}',
    pointer: 'Con trỏ',
    yes: 'có',
    no: 'không',
  },
  en: {
    pageTitle: 'Land map — vnsdi',
    heading: 'Land map',
    skip: 'Skip to the map',
    menu: 'Controls',
    langSwitch: 'Tiếng Việt',
    langSwitchLabel: 'Chuyển sang tiếng Việt',
    layers: 'Layers',
    opacity: 'Opacity',
    opacityOf: 'Opacity of layer {title}',
    showLayer: 'Show layer {title}',
    legend: 'Legend',
    legendOf: 'Legend of layer {title}',
    display: 'Display CRS',
    displayWebMercator: 'Web Mercator (EPSG:3857)',
    displayZone: 'VN-2000, zone:',
    search: 'Search',
    searchParcel: 'Parcel by map sheet and parcel number',
    sheet: 'Map sheet number',
    parcelNo: 'Parcel number',
    searchAddress: 'By address',
    address: 'Address',
    addressHint: 'For example: 110 Xô Viết Nghệ Tĩnh',
    searchCoord: 'By coordinates',
    coordSystem: 'Coordinate system',
    wgs84: 'WGS 84 (latitude, longitude)',
    latitude: 'Latitude (°)',
    longitude: 'Longitude (°)',
    northing: 'X — northing (m)',
    easting: 'Y — easting (m)',
    find: 'Search',
    searching: 'Searching…',
    noResult: 'No parcel found.',
    results: '{n} parcels found.',
    resultsMore: '{n} parcels found; the first {shown} are listed.',
    addressNearby: 'No exact address match; {n} parcels in the current view have an address containing “{q}”.',
    parcelLabel: 'Sheet {sheet}, parcel {no}',
    coordBad: 'Invalid coordinates: enter two numbers.',
    coordOutside: 'The point is outside the area of use of the chosen CRS.',
    coordFound: 'Moved to the point: {wgs}; {vn}.',
    area: 'Parcels in an area',
    drawStart: 'Draw an area on the map',
    drawHelp: 'Click to add vertices, double-click to finish; Esc cancels.',
    drawView: 'Use the current view',
    drawClear: 'Clear the area',
    drawCancel: 'Cancel drawing',
    csv: 'Download the list (CSV)',
    inArea: '{n} parcels intersect the area.',
    inAreaMore: '{n} parcels intersect the area; the list shows the first {shown}, the CSV file has all.',
    areaTooLarge: 'The area holds too many parcels (over {max}); choose a smaller area.',
    areaInvalid: 'The drawn area is not a valid polygon (its edges cross, or it has no area); draw it again.',
    info: 'Feature information',
    close: 'Close',
    infoNone: 'No feature at this point.',
    infoHelp: 'Click the map, or press Enter while the map has the focus, to see the features at the centre of the map.',
    mapLabel: 'Map. Arrow keys pan, + and − zoom, Enter shows the features at the centre.',
    imagerySecret: 'Aerial and satellite imagery is not shown at this zoom: the view covers about {area} km², more than the {limit} km² allowed by the state secrecy rule. Zoom in to see the imagery.',
    loadError: 'Could not load data from the server: {detail}',
    pointer: 'Pointer',
    yes: 'yes',
    no: 'no',
  },
};

// Attribute labels of the land layers (field names of the cadastral data
// model used by Vietnamese land offices).
const attributeLabels = {
  MaThua: ['Mã thửa', 'Parcel id'],
  MaXa: ['Mã xã, phường', 'Commune code'],
  SoHieuToBanDo: ['Số hiệu tờ bản đồ', 'Map sheet number'],
  SoThuTuThua: ['Số thửa', 'Parcel number'],
  DienTich: ['Diện tích (m²)', 'Area (m²)'],
  KyHieuMucDichSuDung: ['Mục đích sử dụng', 'Land-use code'],
  DiaChi: ['Địa chỉ', 'Address'],
  TenChu: ['Tên người sử dụng đất', 'Land user'],
  SoGiayTo: ['Số giấy tờ', 'Document number'],
  MaKhu: ['Mã khu vực', 'Zone id'],
  MaLoaiDat: ['Loại đất', 'Land type'],
  TenLoaiDat: ['Tên loại đất', 'Land type name'],
  LoaiBanDo: ['Loại bản đồ', 'Map kind'],
  NgayHieuLuc: ['Ngày hiệu lực', 'Effective date'],
  MaDoan: ['Mã đoạn đường', 'Segment id'],
  TenDuong: ['Tên đường', 'Street'],
  DoanTu: ['Từ', 'From'],
  DoanDen: ['Đến', 'To'],
  GiaVT1: ['Giá vị trí 1 (đồng/m²)', 'Price, position 1 (VND/m²)'],
  GiaVT2: ['Giá vị trí 2 (đồng/m²)', 'Price, position 2 (VND/m²)'],
  GiaVT3: ['Giá vị trí 3 (đồng/m²)', 'Price, position 3 (VND/m²)'],
  GiaVT4: ['Giá vị trí 4 (đồng/m²)', 'Price, position 4 (VND/m²)'],
  NgayApDung: ['Ngày áp dụng', 'Applies from'],
  MaVanBan: ['Mã văn bản', 'Document id'],
  SoHieu: ['Số hiệu văn bản', 'Document number'],
  LoaiVanBan: ['Loại văn bản', 'Document type'],
  TrichYeu: ['Trích yếu', 'Summary'],
  NgayBanHanh: ['Ngày ban hành', 'Issued on'],
  CoQuanBanHanh: ['Cơ quan ban hành', 'Issued by'],
  TenXa: ['Tên xã, phường', 'Commune'],
  Nam: ['Năm', 'Year'],
  TongDienTich: ['Tổng diện tích (ha)', 'Total area (ha)'],
  DatNongNghiep: ['Đất nông nghiệp (ha)', 'Agricultural land (ha)'],
  DatPhiNongNghiep: ['Đất phi nông nghiệp (ha)', 'Non-agricultural land (ha)'],
  DatChuaSuDung: ['Đất chưa sử dụng (ha)', 'Unused land (ha)'],
  HangChatLuong: ['Hạng chất lượng', 'Quality class'],
  DoPhi: ['Độ phì', 'Fertility'],
  pH: ['Độ pH', 'pH'],
  NgayDieuTra: ['Ngày điều tra', 'Surveyed on'],
  MaVuViec: ['Mã vụ việc', 'Case id'],
  NoiDung: ['Nội dung', 'Subject'],
  KetLuan: ['Kết luận', 'Conclusion'],
  NgayKiemTra: ['Ngày kiểm tra', 'Inspected on'],
  CoQuan: ['Cơ quan', 'Authority'],
};

// Attributes whose value is a land-use code (named through landuse.json).
export const landUseAttributes = ['KyHieuMucDichSuDung', 'MaLoaiDat'];

let current = 'vi';

export function lang() {
  return current;
}

export function setLang(code) {
  current = code === 'en' ? 'en' : 'vi';
}

// Return the text of `key` in the current language, with {name} replaced.
export function t(key, values = {}) {
  const text = texts[current][key] ?? texts.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

export function attributeLabel(name) {
  const pair = attributeLabels[name];
  if (!pair) return name;
  return current === 'en' ? pair[1] : pair[0];
}

// Format a number with the current language's separators.
export function formatNumber(value, digits = 2) {
  return new Intl.NumberFormat(current === 'en' ? 'en-GB' : 'vi-VN', {
    maximumFractionDigits: digits,
  }).format(value);
}

// Fill every element with data-i18n (text), data-i18n-label (aria-label)
// and data-i18n-placeholder below `root`.
export function translateDom(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  }
  document.documentElement.lang = current;
  document.title = t('pageTitle');
}
