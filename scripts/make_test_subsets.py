"""Cuts the small real subsets in crates/ingest/testdata/ from ../shared/data.

Run from the repo root: python3 scripts/make_test_subsets.py
Each subset keeps the header, the first rows and the lines that show one of
the data caveats (blank or far-away coordinates, ...), byte for byte.
"""
import gzip, os

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
DST = os.path.join(os.path.dirname(__file__), "..", "crates", "ingest", "testdata")

# file -> (number of leading data rows, extra physical line numbers to keep)
SUBSETS = {
    "chicago_aggravated_assaults.csv.gz": (60, []),
    "houston_crime_2010.csv.gz": (40, [18, 247, 17824, 61841]),
    "nyc_vehicle_thefts_2014_2017.csv.gz": (40, []),
    "vancouver_thefts.csv.gz": (40, []),
    "cincinnati_burglary.csv.gz": (40, []),
    "medellin_homicides.csv.gz": (40, []),
    "san_francisco_robbery_2019.csv.gz": (40, []),
    "portland_cfs_all_2016_aug_sep.csv.gz": (40, [19377]),
    "chicago_residential_burglary_2016.csv.gz": (40, []),
}

for name, (head, extra) in SUBSETS.items():
    keep = set(range(1, head + 2)) | set(extra)
    out = []
    with gzip.open(os.path.join(SRC, name), "rb") as f:
        for lineno, line in enumerate(f, start=1):
            if lineno in keep:
                out.append(line)
            if lineno > max(keep):
                break
    plain = name[:-3]
    with open(os.path.join(DST, plain), "wb") as f:
        f.writelines(out)
    print(plain, len(out) - 1, "rows")
# one gzip copy, to test compressed input
with open(os.path.join(DST, "chicago_aggravated_assaults.csv"), "rb") as f:
    data = f.read()
with gzip.GzipFile(os.path.join(DST, "chicago_aggravated_assaults.csv.gz"), "wb", mtime=0) as g:
    g.write(data)
