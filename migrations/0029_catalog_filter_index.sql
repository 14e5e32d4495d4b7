-- 0029_catalog_filter_index.sql - a programme and a delivery that few
-- courses share are found without walking the catalogue.
--
-- A filtered first page finds every matching course once, for its total
-- and its page (catalog_store.c). A programme and a delivery were found
-- through courses_program and a filter on the delivery: every course of the
-- programme read to find the few of a rare pair. This index holds each
-- pair's published courses in id order, with what the count reads.
CREATE INDEX courses_program_delivery ON courses (program_id, delivery, id)
	INCLUDE (institution_id) WHERE published;
