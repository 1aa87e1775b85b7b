"""Places on the map: kelurahan/desa boundaries and the kelurahan of a point.

- ``boundaries`` — ``import_boundaries``: a GeoJSON file of kelurahan/desa polygons into
  the database (one transaction), with an ``ImportReport`` of what matched and what not.
- ``features`` — reading and checking such a file: property names of each publisher,
  codes normalised, lon/lat WGS84 enforced (swapped or projected files refused), invalid
  polygons repaired.
- ``matching`` — which of our places a feature is: by Kemendagri code, then by
  normalised kecamatan and kelurahan names; the codes learned on the way.
- ``lookup`` — ``locate``: point → kelurahan through an in-process STRtree index, cached
  per process and rebuilt when the boundaries change; the border and hole rules;
  ``LocationRefused`` for points no boundary takes.
- ``coordinates`` — Indonesia's latitude/longitude ranges and what a coordinate pair
  looks like (lon/lat, swapped, projected metres, elsewhere).
- ``demo`` — the demo region's approximate boundaries, loaded by ``seed_demo``.
"""
