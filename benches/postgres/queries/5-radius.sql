SELECT id, name, ST_Distance(location, ST_MakePoint(19.8187, 41.3275)::geography) AS metres,
       count(*) OVER () AS total
FROM record, to_tsquery('simple', fold('arsim') || ':*') q
WHERE search @@ q AND ST_DWithin(location, ST_MakePoint(19.8187, 41.3275)::geography, 10000)
ORDER BY metres, id LIMIT 20;
