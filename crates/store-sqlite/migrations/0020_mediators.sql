-- The mediator pool as data, each change logged (it was a configuration list).
CREATE TABLE mediators (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL,
    areas     TEXT NOT NULL,
    active    INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    added_at  INTEGER NOT NULL,
    added_by  TEXT NOT NULL
);
