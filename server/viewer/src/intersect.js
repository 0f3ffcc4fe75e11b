// Polygon intersection in the client, on CRS84 coordinates.
//
// NOTE: OGC API items takes only a bbox today, so the parcels of a drawn
// area are fetched by the polygon's bbox and filtered here. When items
// accepts a CQL2 S_INTERSECTS filter, the server should do this with GEOS
// and this file can go.
import { intersects as extentsIntersect } from 'ol/extent.js';

// Sign of the turn a -> b -> c: 1 counter-clockwise, -1 clockwise, 0 in line.
function orientation(a, b, c) {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}

function onSegment(a, b, p) {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

// True when segments ab and cd share a point (touching included).
function segmentsMeet(a, b, c, d) {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

function rings(geometry) {
  const type = geometry.getType();
  if (type === 'Polygon') return geometry.getCoordinates();
  if (type === 'MultiPolygon') return geometry.getCoordinates().flat();
  if (type === 'LineString') return [geometry.getCoordinates()];
  if (type === 'MultiLineString') return geometry.getCoordinates();
  if (type === 'Point') return [[geometry.getCoordinates()]];
  if (type === 'MultiPoint') return [geometry.getCoordinates()];
  return [];
}

function contains(geometry, coordinate) {
  const type = geometry.getType();
  return (type === 'Polygon' || type === 'MultiPolygon') && geometry.intersectsCoordinate(coordinate);
}

// True when `area` (an OpenLayers Polygon) and `geometry` share a point.
export function geometryIntersects(area, geometry) {
  if (!geometry || !extentsIntersect(area.getExtent(), geometry.getExtent())) return false;
  const a = rings(area);
  const b = rings(geometry);
  for (const ring of b) {
    for (const p of ring) if (contains(area, p)) return true;
  }
  for (const ring of a) {
    for (const p of ring) if (contains(geometry, p)) return true;
  }
  for (const ra of a) {
    for (let i = 0; i + 1 < ra.length; i++) {
      for (const rb of b) {
        for (let j = 0; j + 1 < rb.length; j++) {
          if (segmentsMeet(ra[i], ra[i + 1], rb[j], rb[j + 1])) return true;
        }
      }
    }
  }
  return false;
}
