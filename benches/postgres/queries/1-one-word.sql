SELECT id, name, count(*) OVER () AS total
FROM record, to_tsquery('simple', fold('mjedis') || ':*') q
WHERE search @@ q ORDER BY ts_rank(search, q) DESC, id LIMIT 20;
