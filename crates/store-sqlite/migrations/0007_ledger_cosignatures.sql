-- Witnesses' cosignatures (C2SP tlog-cosignature/v1) of signed checkpoints,
-- each checked against a configured witness key before it is stored; the
-- newest per witness and checkpoint is kept.

CREATE TABLE ledger_cosignatures (
    size     INTEGER NOT NULL REFERENCES ledger_checkpoints (size),
    witness  TEXT NOT NULL,
    seen_at  INTEGER NOT NULL,   -- the witness's timestamp, Unix seconds
    line     TEXT NOT NULL,      -- the signature line as the witness returned it
    PRIMARY KEY (size, witness)
) WITHOUT ROWID;
