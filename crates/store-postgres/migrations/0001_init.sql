-- Fengqiao schema for PostgreSQL: the tables and columns of the SQLite
-- backend's migrations 0001-0012 in this dialect. Times are Unix seconds
-- UTC (BIGINT) and JSON bodies text, as there, so that a record's canonical
-- values -- and with them its ledger commitment -- are the same on both.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE datasets (
    id       BIGSERIAL PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    profile  TEXT NOT NULL,
    timezone TEXT NOT NULL
);

CREATE TABLE import_runs (
    id           BIGSERIAL PRIMARY KEY,
    dataset_id   BIGINT NOT NULL REFERENCES datasets(id),
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    status       TEXT NOT NULL CHECK (status IN ('running', 'done')),
    rows_read    BIGINT NOT NULL DEFAULT 0,
    imported     BIGINT NOT NULL DEFAULT 0,
    duplicates   BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0,
    last_line    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX import_runs_file ON import_runs (file_sha256, status);

CREATE TABLE jurisdictions (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city', 'district', 'town', 'village', 'grid')),
    parent_code TEXT,
    geometry    TEXT NOT NULL
);
CREATE INDEX jurisdictions_parent ON jurisdictions (parent_code);

CREATE TABLE facilities (
    code         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('station', 'post')),
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    lon          DOUBLE PRECISION NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    jurisdiction TEXT,
    units        BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE incidents (
    id              BIGSERIAL PRIMARY KEY,
    dataset_id      BIGINT NOT NULL REFERENCES datasets(id),
    source_key      TEXT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    time_precision  TEXT NOT NULL CHECK (time_precision IN ('minute', 'hour', 'day')),
    hour_of_week    BIGINT CHECK (hour_of_week BETWEEN 0 AND 167),
    received_at     BIGINT,
    dispatched_at   BIGINT,
    arrived_at      BIGINT,
    closed_at       BIGINT,
    unit            TEXT,
    category        TEXT NOT NULL,
    raw_category    TEXT,
    lon             DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat             DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    address         TEXT,
    jurisdiction_id BIGINT,
    origin          TEXT NOT NULL CHECK (origin IN ('citizen', 'officer', 'unknown')),
    import_run      BIGINT,
    place_type      TEXT,
    UNIQUE (dataset_id, source_key)
);
CREATE INDEX incidents_time ON incidents (dataset_id, occurred_at);

CREATE TABLE forecast_runs (
    id            BIGSERIAL PRIMARY KEY,
    dataset_id    BIGINT NOT NULL REFERENCES datasets(id),
    model         TEXT NOT NULL,
    window_kind   TEXT NOT NULL CHECK (window_kind IN ('shift', 'day', 'week')),
    window_start  BIGINT NOT NULL,
    window_end    BIGINT NOT NULL,
    shift         BIGINT NOT NULL DEFAULT 0,
    category      TEXT,
    cell_m        DOUBLE PRECISION NOT NULL,
    centre_lon    DOUBLE PRECISION NOT NULL,
    centre_lat    DOUBLE PRECISION NOT NULL,
    origin_x      DOUBLE PRECISION NOT NULL,
    origin_y      DOUBLE PRECISION NOT NULL,
    cols          BIGINT NOT NULL,
    rows          BIGINT NOT NULL,
    data_cutoff   BIGINT NOT NULL,
    params        TEXT NOT NULL,
    version       TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX forecast_runs_latest ON forecast_runs (dataset_id, window_kind, window_start);

CREATE TABLE forecast_cells (
    run_id   BIGINT NOT NULL REFERENCES forecast_runs(id),
    cell     BIGINT NOT NULL,
    expected DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, cell)
);

CREATE TABLE plans (
    id            BIGSERIAL PRIMARY KEY,
    dataset_id    BIGINT NOT NULL REFERENCES datasets(id),
    forecast_id   BIGINT REFERENCES forecast_runs(id),
    window_start  BIGINT NOT NULL,
    window_end    BIGINT NOT NULL,
    params        TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL,
    geojson       TEXT NOT NULL,
    version       TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX plans_latest ON plans (dataset_id, created_at);
CREATE INDEX plans_started ON plans (dataset_id, window_start);

-- The transparency log. Entries are appended under a transaction-scoped
-- advisory lock, so positions are gapless and unique across processes.
CREATE TABLE ledger_entries (
    seq          BIGINT PRIMARY KEY,
    record_type  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    version      BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    at           BIGINT NOT NULL,
    commitment   BYTEA NOT NULL CHECK (octet_length(commitment) = 32)
);
CREATE INDEX ledger_records ON ledger_entries (record_type, record_id, version);

CREATE TABLE ledger_checkpoints (
    size        BIGINT PRIMARY KEY,
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE ledger_tiles (
    level   BIGINT NOT NULL,
    idx     BIGINT NOT NULL,
    hashes  BYTEA NOT NULL CHECK (octet_length(hashes) % 32 = 0 AND octet_length(hashes) BETWEEN 32 AND 8192),
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_cosignatures (
    size     BIGINT NOT NULL REFERENCES ledger_checkpoints (size),
    witness  TEXT NOT NULL,
    seen_at  BIGINT NOT NULL,
    line     TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);

-- The case engine's records. `state` is the engine's full case state (JSON);
-- the columns beside it repeat what boards and reports filter and sort on.
CREATE TABLE cases (
    id              BIGSERIAL PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    case_type       TEXT NOT NULL,
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    jurisdiction_id BIGINT REFERENCES jurisdictions(id),
    address         TEXT,
    lon             DOUBLE PRECISION,
    lat             DOUBLE PRECISION,
    origin          TEXT NOT NULL,
    stage           TEXT NOT NULL,
    version         BIGINT NOT NULL,
    department      TEXT,
    assignee        TEXT,
    opened_at       BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    stage_due_at    BIGINT,
    closed_at       BIGINT,
    state           TEXT NOT NULL,
    risk_grade      TEXT,
    risk            TEXT,
    stock           BIGINT,
    token_hash      TEXT UNIQUE,
    in_person_visits BIGINT NOT NULL DEFAULT 0,
    incident_id     BIGINT REFERENCES incidents(id)
);
CREATE INDEX cases_board ON cases (case_type, stage, due_at);
CREATE INDEX cases_department ON cases (department, stage);
CREATE INDEX cases_assignee ON cases (assignee, stage);
CREATE INDEX cases_jurisdiction ON cases (jurisdiction_id);
CREATE INDEX cases_address ON cases (address) WHERE case_type = 'dispute';

CREATE TABLE case_events (
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    version    BIGINT NOT NULL,
    action     TEXT NOT NULL,
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    reason     TEXT,
    PRIMARY KEY (case_id, version)
);

CREATE TABLE case_parties (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    phone      TEXT,
    id_number  TEXT,
    address    TEXT,
    vulnerable BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_parties_case ON case_parties (case_id);
CREATE INDEX case_parties_name ON case_parties (name, phone);
CREATE INDEX case_parties_address ON case_parties (address);

CREATE TABLE case_links (
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    reason      TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    PRIMARY KEY (case_id, incident_id)
);

CREATE TABLE case_attachments (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        BIGINT NOT NULL CHECK (size >= 0),
    added_by    TEXT NOT NULL,
    added_at    BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);

CREATE TABLE volunteers (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    phone        TEXT,
    skills       TEXT NOT NULL,
    areas        TEXT NOT NULL,
    availability TEXT NOT NULL DEFAULT '',
    active       BIGINT NOT NULL DEFAULT 1,
    joined_at    BIGINT NOT NULL
);

CREATE TABLE volunteer_activities (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('patrol', 'mediation', 'safety_talk', 'other')),
    title        TEXT NOT NULL,
    jurisdiction TEXT,
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL CHECK (ends_at > starts_at),
    reach        BIGINT NOT NULL DEFAULT 0,
    case_code    TEXT
);
CREATE INDEX volunteer_activities_time ON volunteer_activities (starts_at);

CREATE TABLE volunteer_attendance (
    activity_id  BIGINT NOT NULL REFERENCES volunteer_activities(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    hours        DOUBLE PRECISION NOT NULL CHECK (hours > 0 AND hours <= 24),
    PRIMARY KEY (activity_id, volunteer_id)
);
CREATE INDEX volunteer_attendance_volunteer ON volunteer_attendance (volunteer_id);

CREATE TABLE users (
    id              BIGSERIAL PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    jurisdiction    TEXT,
    department      TEXT,
    assignee        TEXT,
    password_hash   TEXT NOT NULL,
    must_change     BIGINT NOT NULL DEFAULT 0,
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    disabled        BIGINT NOT NULL DEFAULT 0,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT
);

CREATE TABLE logins (
    id        BIGSERIAL PRIMARY KEY,
    username  TEXT NOT NULL,
    user_id   BIGINT REFERENCES users(id),
    success   BIGINT NOT NULL,
    via       TEXT NOT NULL,
    at        BIGINT NOT NULL
);

CREATE TABLE open311_keys (
    key_hash    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Each dataset's count, span and extent, kept by every import batch.
CREATE TABLE dataset_stats (
    dataset_id BIGINT PRIMARY KEY REFERENCES datasets(id),
    incidents  BIGINT NOT NULL,
    first_at   BIGINT,
    last_at    BIGINT,
    min_lon    DOUBLE PRECISION,
    min_lat    DOUBLE PRECISION,
    max_lon    DOUBLE PRECISION,
    max_lat    DOUBLE PRECISION
);
