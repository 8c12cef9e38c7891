-- The mediator pool as data, each change logged (it was a configuration list).
CREATE TABLE mediators (
    id        BIGSERIAL PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL,
    areas     TEXT NOT NULL,
    active    BIGINT NOT NULL,
    version   BIGINT NOT NULL,
    added_at  BIGINT NOT NULL,
    added_by  TEXT NOT NULL
);
