-- The record an action makes, as JSON: a mediation session's minutes, an
-- agreement's terms, a follow-up visit's outcome.
ALTER TABLE case_events ADD COLUMN details TEXT;
