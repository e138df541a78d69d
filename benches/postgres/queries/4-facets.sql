WITH hits AS (
  SELECT * FROM record WHERE 'environment' = ANY (thematic_areas) AND county = 'Shkodër'
)
SELECT
  (SELECT json_agg(t) FROM (SELECT id, name FROM hits ORDER BY name LIMIT 20) t) AS page,
  (SELECT count(*) FROM hits) AS total,
  -- disjunctive facets: each filtered field counted without its own filter
  (SELECT json_object_agg(theme, n) FROM (SELECT unnest(thematic_areas) theme, count(*) n FROM record WHERE county = 'Shkodër' GROUP BY 1) f) AS thematic_area,
  (SELECT json_object_agg(county, n) FROM (SELECT county, count(*) n FROM record WHERE 'environment' = ANY (thematic_areas) GROUP BY 1) f) AS county,
  (SELECT json_object_agg(coalesce(scope, ''), n) FROM (SELECT scope, count(*) n FROM hits GROUP BY 1) f) AS scope,
  (SELECT json_object_agg(coalesce(legal_form, ''), n) FROM (SELECT legal_form, count(*) n FROM hits GROUP BY 1) f) AS legal_form;
