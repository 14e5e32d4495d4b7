-- 0027_catalog_bigram_keys.sql - the two-character search's index reads
-- narrower rows: the course's bigrams kept as 16-bit keys.
--
-- A search for a common two-character word (코딩) matches a large share of
-- the catalogue, spread over every page of the table, so the bitmap heap
-- scan behind it reads the whole table; the text[] of every bigram of a
-- course was half of its row (about 490 of 975 bytes at a million bench
-- courses). The index only finds candidates: every search word is then
-- checked on search_text with LIKE (catalog_store.c), so a key may stand
-- for several bigrams without changing any answer. 16 bits of hashtext
-- per distinct bigram take about 130 bytes a course instead; a word's key
-- shared by some other bigram of a course (about one course in a thousand
-- for 50 bigrams a course) costs a LIKE on that row, no more.

-- The keys of the bigrams b: the high 16 bits of hashtext, distinct.
-- hashtext is immutable (the same bytes give the same hash).
CREATE FUNCTION bigram_keys(b text[]) RETURNS smallint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY(SELECT DISTINCT (hashtext(x) >> 16)::smallint FROM unnest(b) x);

-- The keys of the two-character search words given as an array literal
-- ('{"코딩"}', lower-cased), for the catalogue's statement: immutable, so
-- that given a constant it is computed once when the statement is planned,
-- not again on every row a lossy bitmap page rechecks (text[] input
-- depends on nothing but the text).
CREATE FUNCTION bigram_keys(words text) RETURNS smallint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN bigram_keys(words::text[]);

ALTER TABLE courses DROP COLUMN search_bigrams;
ALTER TABLE courses ADD COLUMN search_bigram_keys smallint[] GENERATED ALWAYS AS
	(bigram_keys(text_bigrams(course_search_text(title_ko, title_en, summary_ko, summary_en,
		code, tags)))) STORED;
CREATE INDEX courses_search_bigram_keys ON courses USING gin (search_bigram_keys);
