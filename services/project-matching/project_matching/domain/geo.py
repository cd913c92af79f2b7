"""Points on a local plane: metres east and north of the district's reference point.

Within a district (tens of kilometres) the equirectangular projection is accurate to well under
1%, which is plenty for a 2 km matching cap; it keeps distances cheap and vectorizable."""

from __future__ import annotations

import math

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
# Chaoyang District, Beijing: the reference for the plane.
REFERENCE = (39.92, 116.48)


def to_plane(latitude: float, longitude: float, reference: tuple[float, float] = REFERENCE) -> tuple[float, float]:
    lat0, lon0 = reference
    x = (longitude - lon0) * METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat0))
    y = (latitude - lat0) * METRES_PER_DEGREE_LAT
    return x, y
