-- Each dataset's incident count, first and last time and extent, kept by
-- every import batch in its transaction, so that listing datasets (which
-- every page does first) reads one row per dataset instead of scanning
-- millions of incidents. Incidents are never deleted, only added.
CREATE TABLE dataset_stats (
    dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id),
    incidents  INTEGER NOT NULL,
    first_at   INTEGER,
    last_at    INTEGER,
    min_lon    REAL,
    min_lat    REAL,
    max_lon    REAL,
    max_lat    REAL
);
INSERT INTO dataset_stats
SELECT dataset_id, count(*), min(occurred_at), max(occurred_at), min(lon), min(lat), max(lon), max(lat)
FROM incidents GROUP BY dataset_id;
