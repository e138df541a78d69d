SELECT id, name, count(*) OVER () AS total
FROM record WHERE fold('prokurimit publlik') <% tags
ORDER BY word_similarity(fold('prokurimit publlik'), tags) DESC, id LIMIT 20;
