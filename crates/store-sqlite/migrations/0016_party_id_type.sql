-- The kind of identity document a party's number belongs to (居民身份证,
-- passport, ...), so a number can be checked by its document's rules.
ALTER TABLE case_parties ADD COLUMN id_type TEXT;
