-- Attachments of cases (photos, documents, rectification evidence): the
-- file lives in the data directory under its SHA-256; the row says what it
-- is, and the ledger commits to the row, so a swapped file is caught.

CREATE TABLE case_attachments (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    added_by    TEXT NOT NULL,
    added_at    INTEGER NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);
