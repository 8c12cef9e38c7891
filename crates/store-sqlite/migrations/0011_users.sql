-- Accounts: users with a role and a scope (jurisdiction, department, or the
-- name cases are assigned to), argon2id password hashes, sessions and API
-- tokens (stored as SHA-256 of the token, never the token), and logins.
-- Users and logins are logged in the transparency log.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    jurisdiction    TEXT,
    department      TEXT,
    assignee        TEXT,
    password_hash   TEXT NOT NULL,
    must_change     INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    disabled        INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER
) WITHOUT ROWID;

CREATE TABLE logins (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL,
    user_id   INTEGER REFERENCES users(id),
    success   INTEGER NOT NULL,
    via       TEXT NOT NULL,      -- password, token
    at        INTEGER NOT NULL
);
