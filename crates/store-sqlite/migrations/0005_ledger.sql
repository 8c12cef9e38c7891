-- The transparency log: one entry per written record version, appended in
-- the same transaction as the write; checkpoints signed by the sequencer.

CREATE TABLE ledger_entries (
    seq          INTEGER PRIMARY KEY,   -- 0-based position in the log
    record_type  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    at           INTEGER NOT NULL,
    commitment   BLOB NOT NULL CHECK (length(commitment) = 32)
);
CREATE INDEX ledger_records ON ledger_entries (record_type, record_id, version);

CREATE TABLE ledger_checkpoints (
    size        INTEGER PRIMARY KEY,
    note        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
