-- 0026_catalog_listing_index.sql - the published courses, narrow, for the
-- catalogue's total.
--
-- A catalogue first page says how many courses match. Without a search
-- that count reads every published course; through the table it reads the
-- wide rows (search text and bigrams included), a few hundred bytes each.
-- This partial index holds what the filters other than search and "open"
-- read, so the count is an index-only scan of a few dozen bytes a course;
-- it is also the order of a page without a search.
CREATE INDEX courses_listed ON courses (id) INCLUDE (program_id, institution_id, delivery)
	WHERE published;
