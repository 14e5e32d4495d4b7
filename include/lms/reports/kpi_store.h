/* kpi_store.h - the regional centres' indicators, and the outputs
 * (papers, patents, technology-transfer income, graduates) they record */
#ifndef LMS_REPORTS_KPI_STORE_H
#define LMS_REPORTS_KPI_STORE_H

#include <jansson.h>

struct db_conn;

/*
 * The indicators of the regional centres among institution_id (0: all of
 * them) in year, or, when year is 0, in every year either has data for
 * and the current year in Korea, into *out (new):
 * {"year" (null for 0), "institution_id" (null for 0),
 *  "items": [{year, institution_id, code, name, name_ko, name_en, region,
 *   in_service_employees_trained, degree_graduates, papers, patents,
 *   tech_transfer_income_krw}] a row per centre and year, zeros included,
 *   by year then institution id,
 *  "totals": [{year, centres, and the five sums}] by year}.
 * Employees trained in a year are the distinct learners at ladder stage
 * worker (their stage now) with a completed enrolment in a section of
 * that year's term of a course of the regional_center programme the
 * centre offers; the rest are sums of the centre's recorded outputs of
 * that year. Names in lang ("ko" | "en").
 */
int kpi_store_report(struct db_conn *db, long long institution_id, int year, const char *lang,
		     json_t **out);

/* An output to record: the evidence of its kind only (see 0006_kpi.sql). */
struct kpi_output {
	long long institution_id;
	int year;
	const char *kind;          /* paper, patent, tech_transfer, graduate */
	const char *title;
	const char *doi;           /* paper: "10.NNNN/..."; otherwise NULL */
	const char *patent_number; /* patent; otherwise NULL */
	long long amount_krw;      /* tech_transfer: income in won, >= 0 */
	int count;                 /* graduate: graduates of the conferral */
	long long recorded_by;     /* the user */
};

/*
 * Records o; *row (new) is the output as kpi_store_output_get gives it.
 * Returns 0, LMS_ENOTFOUND when o's institution is no regional centre,
 * LMS_ECONFLICT when the centre has recorded that DOI or patent number
 * already (case aside), or a db_exec error.
 */
int kpi_store_output_create(struct db_conn *db, const struct kpi_output *o, json_t **row);

/*
 * Outputs of institution_id (0: all), of year when it is not 0, newest
 * first, with ids below before_id (0: from the newest), at most limit,
 * into *items (new): each {id, institution_id, year, kind, title, doi,
 * patent_number, amount_krw, count, recorded_by, created_at} (evidence of
 * other kinds null).
 */
int kpi_store_output_list(struct db_conn *db, long long institution_id, int year,
			  long long before_id, int limit, json_t **items);

/* Output id into *row (new); LMS_ENOTFOUND when there is none. */
int kpi_store_output_get(struct db_conn *db, long long id, json_t **row);

/* Deletes output id; LMS_ENOTFOUND when there is none. */
int kpi_store_output_delete(struct db_conn *db, long long id);

#endif
