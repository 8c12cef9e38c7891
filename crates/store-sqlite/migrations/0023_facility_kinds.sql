-- Facilities may be places a city knows (transport hubs, malls, bars,
-- markets, schools, hospitals, industrial parks) besides stations and
-- posts: the forecast reads their nearness and density. SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE facilities_new (
    code         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('station', 'post', 'transport', 'mall', 'bar', 'market', 'school', 'hospital', 'industrial')),
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    lon          REAL NOT NULL,
    lat          REAL NOT NULL,
    jurisdiction TEXT,
    units        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO facilities_new (code, kind, name_zh, name_en, lon, lat, jurisdiction, units)
    SELECT code, kind, name_zh, name_en, lon, lat, jurisdiction, units FROM facilities;
DROP TABLE facilities;
ALTER TABLE facilities_new RENAME TO facilities;
