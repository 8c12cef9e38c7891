"""Regenerates crates/geo/testdata/crs_vectors.csv with PROJ (pyproj).

Run: pip install pyproj && python3 scripts/gen_crs_vectors.py
The vectors are PROJ's answers; the Rust projections must agree to a few mm.
Each projection is fed its own datum's geographic coordinates (NAD83 for the
state planes), so the vectors test the projection formulas; Fengqiao treats
WGS84 and NAD83 alike (about 1 m apart), as its crs module documents.
"""
import csv, random, sys
from pyproj import Transformer

random.seed(7)
# (epsg, lon range, lat range) around the places the shared data covers.
AREAS = [
    (2913, (-123.0, -122.3), (45.3, 45.7)),    # Portland, Oregon North ft
    (26971, (-88.0, -87.5), (41.6, 42.05)),    # Chicago, Illinois East m
    (3435, (-88.0, -87.5), (41.6, 42.05)),     # Chicago, Illinois East ftUS
    (32610, (-123.3, -122.9), (49.1, 49.4)),   # Vancouver, UTM 10N
    (32651, (121.2, 122.0), (29.6, 30.1)),     # Ningbo, UTM 51N
    (32718, (-77.2, -76.8), (-12.2, -11.9)),   # Lima, UTM 18S (south)
    (3857, (-180.0, 180.0), (-80.0, 80.0)),    # web mercator
]
w = csv.writer(sys.stdout if len(sys.argv) < 2 else open(sys.argv[1], "w", newline=""))
w.writerow(["epsg", "lon", "lat", "x", "y"])
for epsg, (lo0, lo1), (la0, la1) in AREAS:
    geog = {2913: "EPSG:4152", 26971: "EPSG:4269", 3435: "EPSG:4269"}.get(epsg, "EPSG:4326")
    t = Transformer.from_crs(geog, f"EPSG:{epsg}", always_xy=True)
    for _ in range(25):
        lon, lat = random.uniform(lo0, lo1), random.uniform(la0, la1)
        x, y = t.transform(lon, lat)
        w.writerow([epsg, f"{lon:.9f}", f"{lat:.9f}", f"{x:.4f}", f"{y:.4f}"])
