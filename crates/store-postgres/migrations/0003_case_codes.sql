-- Case numbers are drawn by counting the codes of a stem ("JF-330203-2026-"):
-- a range scan in byte order, which the unique index under the database's
-- own collation cannot serve (under most collations '-' and '.' do not sort
-- as bytes do), so every new case counted the whole table.
CREATE INDEX cases_code_bytes ON cases (code COLLATE "C");
