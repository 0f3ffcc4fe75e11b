// Coordinate reference systems: the proj4 definitions come from the
// server's own catalogue (/viewer/config.json, built from vn2000/ at run
// time), so the viewer and the server use the same PROJ strings and the
// same official VN-2000 to WGS 84 parameters.
import proj4 from 'proj4';
import { register } from 'ol/proj/proj4.js';
import { get as getProjection, transformExtent } from 'ol/proj.js';

// Register every catalogue entry with proj4 and OpenLayers. Returns the
// projected VN-2000 entries (the zones a user may display or type in).
export function registerCatalogue(list) {
  for (const crs of list) {
    if (crs.id === 'EPSG:4326' || crs.id === 'EPSG:3857' || crs.id === 'CRS:84') continue;
    proj4.defs(crs.id, crs.proj4);
  }
  register(proj4);
  const zones = [];
  for (const crs of list) {
    if (crs.datum !== 'VN-2000' || crs.geographic) continue;
    const projection = getProjection(crs.id);
    if (!projection) continue;
    const [w, s, e, n] = crs.area;
    if (w < e && s < n) {
      projection.setExtent(transformExtent([w, s, e, n], 'EPSG:4326', crs.id, 16));
      projection.setWorldExtent([w, s, e, n]);
    }
    zones.push(crs);
  }
  return zones;
}

export function insideArea(crs, lon, lat) {
  const [w, s, e, n] = crs.area;
  return lon >= w && lon <= e && lat >= s && lat <= n;
}
