SELECT id, name FROM record
WHERE search @@ to_tsquery('simple', fold('shoq') || ':*') AND name_folded LIKE '%shoq%'
ORDER BY length(name), id LIMIT 8;
