-- The log's Merkle tree as C2SP hash tiles: tile (level, idx) holds up to
-- 256 hashes of tree level 8*level, concatenated. Written by the sequencer
-- in the transaction that stores the checkpoint they lead to; a partial
-- tile only ever grows, so a reader at an older checkpoint stays correct.

CREATE TABLE ledger_tiles (
    level   INTEGER NOT NULL,
    idx     INTEGER NOT NULL,
    hashes  BLOB NOT NULL CHECK (length(hashes) % 32 = 0 AND length(hashes) BETWEEN 32 AND 8192),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
