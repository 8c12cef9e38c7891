-- A station's rosters: who works which shift, the crews, the demand answered; each version logged.
CREATE TABLE rosters (
    id          INTEGER PRIMARY KEY,
    station     TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    days        INTEGER NOT NULL,
    state       TEXT NOT NULL,
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL,
    changed_by  TEXT NOT NULL
);
CREATE INDEX rosters_station ON rosters (station, id);
