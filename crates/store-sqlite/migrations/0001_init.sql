-- Fengqiao schema v1 (SQLite). The PostgreSQL backend keeps the same tables
-- and columns in its own dialect; times are Unix seconds UTC here.
-- CHECKs on value lists are written with OR, not IN (...): SQLite builds an
-- ephemeral table per row for IN lists (import went from 131k to 208k rows/s).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE datasets (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    profile  TEXT NOT NULL,
    timezone TEXT NOT NULL
);

CREATE TABLE import_runs (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets(id),
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    status       TEXT NOT NULL CHECK (status = 'running' OR status = 'done'),
    rows_read    INTEGER NOT NULL DEFAULT 0,
    imported     INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    last_line    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX import_runs_file ON import_runs (file_sha256, status);

CREATE TABLE jurisdictions (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level = 'city' OR level = 'district' OR level = 'town' OR level = 'village' OR level = 'grid'),
    parent_code TEXT,
    geometry    TEXT NOT NULL
);
CREATE INDEX jurisdictions_parent ON jurisdictions (parent_code);

CREATE TABLE facilities (
    code         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind = 'station' OR kind = 'post'),
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    lon          REAL NOT NULL,
    lat          REAL NOT NULL,
    jurisdiction TEXT,
    units        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    dataset_id      INTEGER NOT NULL REFERENCES datasets(id),
    source_key      TEXT NOT NULL,
    occurred_at     INTEGER NOT NULL,
    time_precision  TEXT NOT NULL CHECK (time_precision = 'minute' OR time_precision = 'hour' OR time_precision = 'day'),
    hour_of_week    INTEGER CHECK (hour_of_week BETWEEN 0 AND 167),
    received_at     INTEGER,
    dispatched_at   INTEGER,
    arrived_at      INTEGER,
    closed_at       INTEGER,
    unit            TEXT,
    category        TEXT NOT NULL,
    raw_category    TEXT,
    lon             REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat             REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    address         TEXT,
    jurisdiction_id INTEGER,
    origin          TEXT NOT NULL CHECK (origin = 'citizen' OR origin = 'officer' OR origin = 'unknown'),
    import_run      INTEGER,
    UNIQUE (dataset_id, source_key)
);
CREATE INDEX incidents_time ON incidents (dataset_id, occurred_at);
