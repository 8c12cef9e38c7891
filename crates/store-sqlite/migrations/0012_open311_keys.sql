-- API keys of Open311 GeoReport v2 clients (civic apps that submit
-- citizens' requests): SHA-256 of the key, never the key.
CREATE TABLE open311_keys (
    key_hash    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
