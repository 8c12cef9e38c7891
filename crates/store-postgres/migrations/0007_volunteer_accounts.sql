-- The account a registered volunteer signs in with: one each way, so a
-- volunteer sees their own hours and records their own activities.
CREATE TABLE volunteer_accounts (
    id           BIGSERIAL PRIMARY KEY,
    volunteer_id BIGINT NOT NULL UNIQUE REFERENCES volunteers(id),
    username     TEXT NOT NULL UNIQUE,
    linked_at    BIGINT NOT NULL,
    linked_by    TEXT NOT NULL
);
