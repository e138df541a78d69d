SELECT id, name, count(*) OVER () AS total
FROM record WHERE county = 'Shkodër' AND 'youth' = ANY (thematic_areas)
ORDER BY name LIMIT 20;
