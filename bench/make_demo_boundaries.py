"""Write ``lapor_bridge/data/demo_boundaries.json`` from cahyadsn/wilayah_boundaries.

Run once (the output is committed): the kelurahan of Kota Tegal (33.76) and the desa of
the two demo neighbours listed in ``lapor_bridge/demo_neighbours.py``, taken from the SQL
files of https://github.com/cahyadsn/wilayah_boundaries (MIT), simplified there already;
coordinates snapped to 1e-6° here. A neighbour's desa not found under its kecamatan is
reported and left out.

    git clone https://github.com/cahyadsn/wilayah_boundaries /tmp/wilayah_boundaries
    .venv/bin/python bench/make_demo_boundaries.py /tmp/wilayah_boundaries
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from functools import reduce
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from lapor_bridge import demo_neighbours, demo_region

OUT = Path(__file__).resolve().parents[1] / "lapor_bridge" / "data" / "demo_boundaries.json"
ROW = re.compile(r"\('([\d.]+)','((?:[^']|'')*)',(-?[\d.]+),(-?[\d.]+),'(\[[^']*\])'\)")
PROVINCE = "Jawa Tengah"
NOTICE = ("Kelurahan/desa boundaries of Kota Tegal and of some desa of Kabupaten Tegal and "
          "Kabupaten Brebes, from cahyadsn/wilayah_boundaries (simplified polygons, not an "
          "official survey; demo use only). Copyright (c) 2024 Cahya DSN, MIT License: "
          "Permission is hereby granted, free of charge, to any person obtaining a copy of "
          "this software and associated documentation files (the \"Software\"), to deal in "
          "the Software without restriction, including without limitation the rights to "
          "use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of "
          "the Software, and to permit persons to whom the Software is furnished to do so, "
          "subject to the following conditions: The above copyright notice and this "
          "permission notice shall be included in all copies or substantial portions of the "
          "Software. THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, "
          "EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF "
          "MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO "
          "EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR "
          "OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING "
          "FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN "
          "THE SOFTWARE.")


def rows(path: Path) -> list[tuple[str, str, str]]:
    """(code, name, path JSON) of every INSERT row of one SQL file."""
    return [(code, name.replace("''", "'"), shape)
            for code, name, _lat, _lng, shape in ROW.findall(path.read_text(encoding="utf-8"))]


def geometry(path_json: str):
    """The file's ``path`` ([lat, lng] rings, or polygons of rings) as lon/lat shapes;
    a flat list of rings is read even-odd (a ring inside another is its hole)."""
    path = json.loads(path_json)
    if isinstance(path[0][0][0], list):
        parts = [Polygon([(lng, lat) for lat, lng in poly[0]],
                         [[(lng, lat) for lat, lng in ring] for ring in poly[1:]])
                 for poly in path]
        shape = shapely.union_all([shapely.make_valid(part) for part in parts])
    else:
        rings = [shapely.make_valid(Polygon([(lng, lat) for lat, lng in ring])) for ring in path]
        shape = reduce(shapely.symmetric_difference, rings)
    shape = shapely.orient_polygons(shapely.set_precision(shape, 1e-6))
    return shape if shape.geom_type in ("Polygon", "MultiPolygon") else MultiPolygon(
        [part for part in shapely.get_parts(shape) if part.geom_type == "Polygon"])


def rounded(value):
    """GeoJSON with every coordinate written to 6 decimals (about 0.1 m)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    return value


def main() -> None:
    """Read the checkout, print what was left out, write the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a clone of cahyadsn/wilayah_boundaries")
    args = parser.parse_args()
    db = args.checkout / "db"
    commit = subprocess.run(["git", "-C", str(args.checkout), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    kecamatan = dict((code, name) for code, name, _ in rows(db / "kec" /
                                                                  "wilayah_boundaries_kec_33.sql"))
    regions = {demo_region.REGION[0]: (demo_region.REGION[1], demo_region.KECAMATAN)}
    regions.update({code: (name, places) for (code, name, _), places
                    in demo_neighbours.REGIONS.items()})
    features = []
    for region_code, (region_name, wanted) in regions.items():
        found = rows(db / "kel" / region_code[:2] / f"wilayah_boundaries_kel_{region_code}.sql")
        for district_name, village_names in wanted.items():
            for village_name in village_names:
                match = [(code, name, shape) for code, name, shape in found
                         if name.lower() == village_name.lower()
                         and kecamatan.get(code[:8]) == district_name]
                if len(match) != 1:
                    print(f"left out: {region_name}, {district_name} / {village_name} "
                          f"({len(match)} rows under that kecamatan)")
                    continue
                code, name, shape = match[0]
                features.append({"type": "Feature", "properties": {
                    "KDEPUM": code, "WADMKD": name, "WADMKC": kecamatan[code[:8]],
                    "WADMKK": region_name, "WADMPR": PROVINCE},
                    "geometry": rounded(mapping(geometry(shape)))})
    document = {"type": "FeatureCollection", "name": "demo_boundaries",
                "source": f"https://github.com/cahyadsn/wilayah_boundaries commit {commit}",
                "license": "MIT", "notice": NOTICE, "features": features}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"{len(features)} features → {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
