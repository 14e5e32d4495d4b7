-- 0012_cohort_terms.sql - a section's term may be a cohort of its year:
-- the Academy and the regional centres run cohorts (기수, "2027 3기"),
-- not semesters. A cohort is "YYYY-cN", N from 1 to 99 without a leading
-- zero (2027-c3), next to the semester terms of 0003.
--
-- The year stays the term's first four digits, so reports that take the
-- year with split_part(term, '-', 1) read cohorts unchanged.

ALTER TABLE sections DROP CONSTRAINT sections_term_check;
ALTER TABLE sections ADD CONSTRAINT sections_term_check
	CHECK (term ~ '^[0-9]{4}-(1|2|summer|winter|c[1-9][0-9]?)$');
