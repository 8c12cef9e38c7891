-- The case engine's records: disputes, hazards and citizens' requests.
-- `state` is the engine's full case state (JSON); the columns beside it
-- repeat what boards and reports filter and sort on. Every change bumps
-- `version`, appends a case_events row and a ledger entry in one
-- transaction, and is refused if the version read is no longer current.

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    case_type       TEXT NOT NULL,
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    jurisdiction_id INTEGER REFERENCES jurisdictions(id),
    address         TEXT,
    lon             REAL,
    lat             REAL,
    origin          TEXT NOT NULL,
    stage           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    department      TEXT,
    assignee        TEXT,
    opened_at       INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    stage_due_at    INTEGER,
    closed_at       INTEGER,
    state           TEXT NOT NULL,
    risk_grade      TEXT,
    risk            TEXT,
    stock           INTEGER,             -- hazards: 1 stock (存量), 0 new (新增)
    token_hash      TEXT UNIQUE,         -- citizens' requests: SHA-256 of the tracking token
    in_person_visits INTEGER NOT NULL DEFAULT 0,
    incident_id     INTEGER REFERENCES incidents(id)
);
CREATE INDEX cases_board ON cases (case_type, stage, due_at);
CREATE INDEX cases_department ON cases (department, stage);
CREATE INDEX cases_assignee ON cases (assignee, stage);
CREATE INDEX cases_jurisdiction ON cases (jurisdiction_id);

CREATE TABLE case_events (
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    version    INTEGER NOT NULL,
    action     TEXT NOT NULL,
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    reason     TEXT,
    PRIMARY KEY (case_id, version)
) WITHOUT ROWID;

-- Parties hold personal data: masked for roles that do not need it, never
-- in the ledger (which commits to them by keyed hash only).
CREATE TABLE case_parties (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    phone      TEXT,
    id_number  TEXT,
    address    TEXT,
    vulnerable INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_parties_case ON case_parties (case_id);
CREATE INDEX case_parties_name ON case_parties (name, phone);

-- 民转刑: incidents found later at a dispute's address or between its parties.
CREATE TABLE case_links (
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    reason      TEXT NOT NULL,
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (case_id, incident_id)
) WITHOUT ROWID;
CREATE INDEX cases_address ON cases (address) WHERE case_type = 'dispute';
CREATE INDEX case_parties_address ON case_parties (address);
