-- 0006_kpi.sql - what the regional centres report besides the employees they
-- train: papers, patents, technology-transfer income and degree graduates,
-- each row with its evidence.

-- One output of a centre in a year. Each kind carries its own evidence and
-- no other: a paper its DOI, a patent its number, a technology transfer its
-- income in won, a degree conferral the number of graduates it made.
-- Graduates are a count per conferral, not a row per person: the ministry's
-- indicator is a number, and a centre's graduates need not be users here,
-- so no personal data is kept for it.
CREATE TABLE kpi_outputs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	institution_id bigint NOT NULL REFERENCES institutions (id),
	year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	kind text NOT NULL CHECK (kind IN ('paper', 'patent', 'tech_transfer', 'graduate')),
	title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
	doi text CHECK (doi ~ '^10\.[0-9]{4,9}(\.[0-9]+)*/[!-~]+$' AND length(doi) <= 200),
	patent_number text CHECK (patent_number ~ '^[A-Za-z0-9][A-Za-z0-9 ,./-]{0,39}$'),
	amount_krw bigint CHECK (amount_krw >= 0),
	count integer CHECK (count BETWEEN 1 AND 10000),
	recorded_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((doi IS NOT NULL) = (kind = 'paper')),
	CHECK ((patent_number IS NOT NULL) = (kind = 'patent')),
	CHECK ((amount_krw IS NOT NULL) = (kind = 'tech_transfer')),
	CHECK ((count IS NOT NULL) = (kind = 'graduate'))
);
CREATE INDEX kpi_outputs_institution ON kpi_outputs (institution_id, year);
-- A paper or a patent counts once per centre, however often it is sent
-- (DOIs are case-insensitive; patent numbers are compared as written, in
-- upper case).
CREATE UNIQUE INDEX kpi_outputs_doi ON kpi_outputs (institution_id, lower(doi))
	WHERE doi IS NOT NULL;
CREATE UNIQUE INDEX kpi_outputs_patent ON kpi_outputs (institution_id, upper(patent_number))
	WHERE patent_number IS NOT NULL;

GRANT SELECT, INSERT, DELETE ON kpi_outputs TO lms_app;
