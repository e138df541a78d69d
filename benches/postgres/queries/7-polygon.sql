SELECT id, name, count(*) OVER () AS total
FROM record, to_tsquery('simple', fold('arsim') || ':*') q
WHERE search @@ q AND ST_Intersects(location,
  ST_GeogFromText('SRID=4326;POLYGON((19.3 41.9, 19.7 41.9, 19.7 42.2, 19.3 42.2, 19.3 41.9))'))
ORDER BY ts_rank(search, q) DESC, id LIMIT 20;
