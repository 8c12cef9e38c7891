-- Deployment plans: where units stand and their visiting rounds for one
-- window, made from a stored forecast.

CREATE TABLE plans (
    id            INTEGER PRIMARY KEY,
    dataset_id    INTEGER NOT NULL REFERENCES datasets(id),
    forecast_id   INTEGER REFERENCES forecast_runs(id),
    window_start  INTEGER NOT NULL,
    window_end    INTEGER NOT NULL,
    -- Settings the plan was made with (units, speeds, response time, ...).
    params        TEXT NOT NULL,
    -- Objective, coverage at 1/3/5 minutes, gap, seconds.
    summary       TEXT NOT NULL,
    -- Units with positions, areas and visits; per-station summaries.
    body          TEXT NOT NULL,
    geojson       TEXT NOT NULL,
    version       TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX plans_latest ON plans (dataset_id, created_at);
