-- Police strength as people: the personnel registry and their leave, each change logged.
CREATE TABLE personnel (
    id              BIGSERIAL PRIMARY KEY,
    badge           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    station         TEXT NOT NULL,
    team            TEXT NOT NULL,
    qualifications  TEXT NOT NULL,
    phone           TEXT,
    weekly_hours    BIGINT NOT NULL,
    shifts          TEXT NOT NULL,
    active          BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    changed_at      BIGINT NOT NULL,
    changed_by      TEXT NOT NULL
);
CREATE INDEX personnel_station ON personnel (station, badge);

CREATE TABLE personnel_leave (
    id          BIGSERIAL PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES personnel (id),
    kind        TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    note        TEXT NOT NULL,
    cancelled   BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    added_at    BIGINT NOT NULL,
    added_by    TEXT NOT NULL
);
CREATE INDEX personnel_leave_days ON personnel_leave (last_day, first_day);
