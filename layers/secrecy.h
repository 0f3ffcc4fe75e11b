/*
 * layers/secrecy: the state-secret rules that responses and caches apply
 * on top of the drops made at load time.
 *
 * Aerial and satellite images covering more than 200 km² are state secrets
 * (Circular 29/2013/TT-BCA), so no response that contains imagery pixels
 * may show more ground than cfg->imagery_max_km2 (200 by default). Areas
 * are geodesic, on the WGS 84 ellipsoid. Every function here is pure and
 * thread-safe unless it says otherwise.
 */
#ifndef VNSDI_LAYERS_SECRECY_H
#define VNSDI_LAYERS_SECRECY_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "layers/layers.h"

/* The footprint limit used when the config sets none, in km². */
#define SECRECY_DEFAULT_MAX_KM2 200.0

/* Size of a standard rendering pixel (OGC WMS 1.3.0, 7.2.4.6.9), metres. */
#define SECRECY_PIXEL_SIZE_M 0.00028

/* The imagery footprint limit of a config in km² (the default when 0). */
double secrecy_max_km2(const struct cfg *cfg);

/*
 * Geodesic area in km² of a CRS84 box (west, south, east, north). A box
 * with west > east crosses the antimeridian. Returns a negative number for
 * a box that is not finite or has south > north.
 */
double secrecy_box_area_km2(const double box_crs84[4]);

/*
 * Whether a response whose ground is the CRS84 box `box_crs84` may contain
 * imagery pixels: true when its geodesic area is at most the limit. A box
 * that cannot be measured is refused. Callers pass the box around the
 * whole response (a WMS map, a tile), never a part of it.
 */
bool secrecy_imagery_allowed(const struct cfg *cfg,
			     const double box_crs84[4]);

/*
 * The largest scale denominator at which a map of `width` x `height`
 * pixels of SECRECY_PIXEL_SIZE_M stays within the footprint limit, with a
 * 1 % margin for the scale factor of transverse Mercator grids (0.9996 in
 * UTM, 0.9999 in VN-2000 TM-3). Pass the largest image the server accepts
 * (limits.max_width x limits.max_height): a smaller image at that scale
 * shows less ground. Returns 0 for a size below 1 pixel.
 */
double secrecy_max_imagery_scale(const struct cfg *cfg, int width,
				 int height);

/*
 * Check the secrecy rules of a config against its data sets: no layer's
 * source may be the data set and layer of a restricted area (the restricted
 * polygons are never served), and no personal attribute may be readable by
 * the anonymous or partner roles. Problems go to `errors` as errors with
 * the config line. Returns 0 when there is none, -1 otherwise.
 */
int secrecy_config_check(const struct cfg *cfg, struct cfg_errors *errors);

/*
 * Whether a vector source (path or GDAL connection string, already
 * resolved, and layer name or NULL for the first layer) is one of the
 * restricted-area sources of `cfg`. Publishing must reject such a source.
 */
bool secrecy_source_is_restricted(const struct cfg *cfg, const char *source,
				  const char *source_layer);

/*
 * A digest of the restricted set (lowercase hex SHA-256, 65 bytes with the
 * NUL) over every polygon's CRS84 coordinates and reason code, or 64 zeros
 * for an empty or NULL set. Caches of rendered data key their content on
 * it, so anything drawn before an area was added is never served after.
 */
void restricted_set_digest(const struct restricted_set *set, char hex[65]);

/*
 * Reason code (the reason_attribute value) of the first restricted area
 * that meets a CRS84 box, or NULL when none does or the area has no code.
 * The string is borrowed from the set. The area's name is never returned:
 * it stays out of logs and responses.
 */
const char *restricted_set_reason_box(const struct restricted_set *set,
				      const double box[4]);

/*
 * Write one audit line per load-time drop of a snapshot: the features (or
 * scenes) dropped because they touch a restricted area, and each scene
 * dropped for its footprint. Call after every snapshot load that will be
 * served (start, publish, rollback). No-op when the audit log is closed.
 */
void secrecy_audit_snapshot(const struct layer_snapshot *snap);

#endif
