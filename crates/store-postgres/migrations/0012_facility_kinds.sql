-- Facilities may be places a city knows (transport hubs, malls, bars,
-- markets, schools, hospitals, industrial parks) besides stations and
-- posts: the forecast reads their nearness and density.
ALTER TABLE facilities DROP CONSTRAINT IF EXISTS facilities_kind_check;
ALTER TABLE facilities ADD CONSTRAINT facilities_kind_check
    CHECK (kind IN ('station', 'post', 'transport', 'mall', 'bar', 'market', 'school', 'hospital', 'industrial'));
