-- What a team would build Rrjeti's search on in PostgreSQL: full text with unaccent (there is
-- no Albanian stemmer in PostgreSQL, so the simple configuration with prefix matching),
-- trigrams for misspellings, arrays for multi-valued facets, PostGIS for places.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS postgis;

-- unaccent is not immutable (its dictionary can change); a generated column needs it to be.
CREATE FUNCTION fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent', $1)) $$;
-- array_to_string is only stable (element output could depend on settings; not for text).
CREATE FUNCTION words(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_to_string($1, ' ') $$;

CREATE TABLE record (
  kind text NOT NULL,
  id text PRIMARY KEY,
  name text NOT NULL,
  acronym text,
  description text,
  expertise text[] NOT NULL DEFAULT '{}',
  thematic_areas text[] NOT NULL DEFAULT '{}',
  target_groups text[] NOT NULL DEFAULT '{}',
  scope text,
  legal_form text,
  county text,
  municipality text,
  location geography(Point, 4326),
  doc jsonb NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', fold(coalesce(name, '') || ' ' || coalesce(acronym, ''))), 'A') ||
    setweight(to_tsvector('simple', fold(words(expertise))), 'B') ||
    setweight(to_tsvector('simple', fold(coalesce(description, ''))), 'C')
  ) STORED,
  name_folded text GENERATED ALWAYS AS (fold(name)) STORED,
  -- names and expertise tags, for misspellings by trigram word similarity
  tags text GENERATED ALWAYS AS (fold(name || ' ' || words(expertise))) STORED
);
