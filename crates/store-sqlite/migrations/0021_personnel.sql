-- Police strength as people: the personnel registry and their leave, each change logged.
CREATE TABLE personnel (
    id              INTEGER PRIMARY KEY,
    badge           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    station         TEXT NOT NULL,
    team            TEXT NOT NULL,
    qualifications  TEXT NOT NULL,
    phone           TEXT,
    weekly_hours    INTEGER NOT NULL,
    shifts          TEXT NOT NULL,
    active          INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    changed_at      INTEGER NOT NULL,
    changed_by      TEXT NOT NULL
);
CREATE INDEX personnel_station ON personnel (station, badge);

CREATE TABLE personnel_leave (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES personnel (id),
    kind        TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    note        TEXT NOT NULL,
    cancelled   INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    added_at    INTEGER NOT NULL,
    added_by    TEXT NOT NULL
);
CREATE INDEX personnel_leave_days ON personnel_leave (last_day, first_day);
