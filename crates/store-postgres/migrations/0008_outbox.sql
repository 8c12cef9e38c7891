-- Notifications to the departments and people responsible (dispatch,
-- return, 督办 ...), retried until delivered, and every attempt made.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    channel     TEXT NOT NULL,
    case_code   TEXT NOT NULL,
    event       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    next_at     BIGINT,
    sent_at     BIGINT,
    gave_up_at  BIGINT,
    last_error  TEXT
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE next_at IS NOT NULL;
CREATE TABLE outbox_attempts (
    id          BIGSERIAL PRIMARY KEY,
    outbox_id   BIGINT NOT NULL REFERENCES outbox(id),
    at          BIGINT NOT NULL,
    ok          BIGINT NOT NULL,
    error       TEXT
);
