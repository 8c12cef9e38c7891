-- Incidents by month of occurrence, and a monthly rollup for the aggregates
-- that span years (issue 9's scale work).
--
-- `incidents` becomes range-partitioned on occurred_at (epoch seconds), one
-- partition per UTC month, made on demand by imports
-- (fengqiao_incident_month). A partitioned table's unique keys must hold the
-- partition key, so a source key's uniqueness within its dataset moves to
-- `incident_keys`, which every import writes first; the id stays unique by
-- its sequence (and the primary key's leading column finds one), and
-- references to incidents are kept by the code that writes them (a case's
-- incident is checked on opening; links are made from joins).

ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_incident_id_fkey;
ALTER TABLE case_links DROP CONSTRAINT IF EXISTS case_links_incident_id_fkey;
ALTER SEQUENCE incidents_id_seq OWNED BY NONE;
ALTER TABLE incidents RENAME TO incidents_unpartitioned;
ALTER INDEX incidents_time RENAME TO incidents_unpartitioned_time;

CREATE TABLE incidents (
    id              BIGINT NOT NULL DEFAULT nextval('incidents_id_seq'),
    dataset_id      BIGINT NOT NULL,
    source_key      TEXT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    time_precision  TEXT NOT NULL CHECK (time_precision IN ('minute', 'hour', 'day')),
    hour_of_week    BIGINT CHECK (hour_of_week BETWEEN 0 AND 167),
    received_at     BIGINT,
    dispatched_at   BIGINT,
    arrived_at      BIGINT,
    closed_at       BIGINT,
    unit            TEXT,
    category        TEXT NOT NULL,
    raw_category    TEXT,
    lon             DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat             DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    address         TEXT,
    jurisdiction_id BIGINT,
    origin          TEXT NOT NULL CHECK (origin IN ('citizen', 'officer', 'unknown')),
    import_run      BIGINT,
    place_type      TEXT,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
ALTER SEQUENCE incidents_id_seq OWNED BY incidents.id;
CREATE INDEX incidents_time ON incidents (dataset_id, occurred_at);

CREATE TABLE incident_keys (
    dataset_id  BIGINT NOT NULL REFERENCES datasets(id),
    source_key  TEXT NOT NULL,
    incident_id BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, source_key)
);

-- The UTC month holding epoch second `at`, as [start, end).
CREATE FUNCTION fengqiao_month_start(at BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT extract(epoch FROM date_trunc('month', to_timestamp(at) AT TIME ZONE 'UTC'))::BIGINT
$$;

-- Makes the partition for the month holding `at` unless it exists; several
-- importers may ask at once (the advisory lock makes one of them create it).
CREATE FUNCTION fengqiao_incident_month(at BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    start_at BIGINT := fengqiao_month_start(at);
    end_at   BIGINT := extract(epoch FROM (date_trunc('month', to_timestamp(at) AT TIME ZONE 'UTC') + interval '1 month'))::BIGINT;
    name     TEXT := 'incidents_' || to_char(to_timestamp(start_at) AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7365, hashtext(name));
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF incidents FOR VALUES FROM (%s) TO (%s)', name, start_at, end_at);
    END IF;
END
$$;

SELECT fengqiao_incident_month(m) FROM (SELECT DISTINCT fengqiao_month_start(occurred_at) AS m FROM incidents_unpartitioned) months;
INSERT INTO incidents SELECT * FROM incidents_unpartitioned;
INSERT INTO incident_keys SELECT dataset_id, source_key, id FROM incidents_unpartitioned;
DROP TABLE incidents_unpartitioned;

-- Counts per dataset, UTC month (in occurred_at, its first second), category,
-- area and origin: the columns keep the incidents' names so the same
-- filters read both. Kept by each import batch in its transaction.
CREATE TABLE incident_rollup (
    dataset_id      BIGINT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    category        TEXT NOT NULL,
    jurisdiction_id BIGINT,
    origin          TEXT NOT NULL,
    n               BIGINT NOT NULL
);
CREATE UNIQUE INDEX incident_rollup_key
    ON incident_rollup (dataset_id, occurred_at, category, (coalesce(jurisdiction_id, 0)), origin);
INSERT INTO incident_rollup
    SELECT dataset_id, fengqiao_month_start(occurred_at), category, jurisdiction_id, origin, count(*)
    FROM incidents GROUP BY 1, 2, 3, 4, 5;
