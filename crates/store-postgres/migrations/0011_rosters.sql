-- A station's rosters: who works which shift, the crews, the demand answered; each version logged.
CREATE TABLE rosters (
    id          BIGSERIAL PRIMARY KEY,
    station     TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    days        BIGINT NOT NULL,
    state       TEXT NOT NULL,
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    changed_at  BIGINT NOT NULL,
    changed_by  TEXT NOT NULL
);
CREATE INDEX rosters_station ON rosters (station, id);
