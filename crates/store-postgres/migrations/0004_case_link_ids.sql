-- 民转刑 links become records of their own (an id the ledger names). Links
-- made before carried no ledger entry and came from the old exact-address
-- rule; they are dropped and made again by the rule every face now applies.
DROP TABLE case_links;
CREATE TABLE case_links (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    incident_id BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    UNIQUE (case_id, incident_id)
);
CREATE INDEX case_links_incident ON case_links (incident_id);
