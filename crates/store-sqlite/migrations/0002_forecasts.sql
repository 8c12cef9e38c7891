-- Forecast runs and their per-cell expected counts.

CREATE TABLE forecast_runs (
    id            INTEGER PRIMARY KEY,
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id),
    model         TEXT NOT NULL,
    window_kind   TEXT NOT NULL CHECK (window_kind = 'shift' OR window_kind = 'day' OR window_kind = 'week'),
    window_start  INTEGER NOT NULL,
    window_end    INTEGER NOT NULL,
    shift         INTEGER NOT NULL DEFAULT 0,
    -- Category code the forecast is for (and below); NULL for all incidents.
    category      TEXT,
    cell_m        REAL NOT NULL,
    -- The grid: a local transverse Mercator centred here, lower-left corner at (origin_x, origin_y) metres.
    centre_lon    REAL NOT NULL,
    centre_lat    REAL NOT NULL,
    origin_x      REAL NOT NULL,
    origin_y      REAL NOT NULL,
    cols          INTEGER NOT NULL,
    rows          INTEGER NOT NULL,
    data_cutoff   INTEGER NOT NULL,
    params        TEXT NOT NULL,
    version       TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX forecast_runs_latest ON forecast_runs (dataset_id, window_kind, window_start);

CREATE TABLE forecast_cells (
    run_id   INTEGER NOT NULL REFERENCES forecast_runs(id),
    cell     INTEGER NOT NULL,
    expected REAL NOT NULL,
    PRIMARY KEY (run_id, cell)
) WITHOUT ROWID;
