-- 0001_extensions.sql - extensions the schema relies on
-- pg_trgm: substring search of Korean and English course text.
-- btree_gist: exclusion constraints that mix equality with time ranges
-- (no instructor or facility in two overlapping sessions).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
