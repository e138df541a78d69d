CREATE INDEX record_search ON record USING gin (search);
CREATE INDEX record_name_trgm ON record USING gin (name_folded gin_trgm_ops);
CREATE INDEX record_tags_trgm ON record USING gin (tags gin_trgm_ops);
CREATE INDEX record_themes ON record USING gin (thematic_areas);
CREATE INDEX record_county ON record (county);
CREATE INDEX record_location ON record USING gist (location);
ANALYZE record;
