/* catalog_store.h - reading the catalogue: institutions, programmes, courses */
#ifndef LMS_CATALOG_CATALOG_STORE_H
#define LMS_CATALOG_CATALOG_STORE_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

/* SQL shared by every answer that shows a section: its fields as
 * json_build_object pairs, for a section "s" joined with
 * CATALOG_SECTION_COUNTS (its waitlist length, "e"); the seats taken are
 * the trigger-kept sections.enrolled_count. */
#define CATALOG_SECTION_FIELDS                                                          \
	"'id', s.id, 'term', s.term, 'starts_on', s.starts_on, 'ends_on', s.ends_on,"      \
	" 'capacity', s.capacity, 'enrollment_opens_at', s.enrollment_opens_at,"           \
	" 'enrollment_closes_at', s.enrollment_closes_at, 'status', s.status,"             \
	" 'enrollment_open', s.status = 'open' AND now() >= s.enrollment_opens_at"         \
	" AND now() < s.enrollment_closes_at,"                                             \
	" 'instructor_ids', (SELECT coalesce(json_agg(si.user_id ORDER BY si.user_id),"    \
	" '[]') FROM section_instructors si WHERE si.section_id = s.id),"                   \
	" 'enrolled_count', s.enrolled_count, 'waitlist_length', e.waitlisted,"             \
	" 'seats_left', greatest(s.capacity - s.enrolled_count, 0)"
#define CATALOG_SECTION_COUNTS                                                          \
	" CROSS JOIN LATERAL (SELECT count(*) AS waitlisted FROM enrollments"                  \
	" WHERE section_id = s.id AND status = 'waitlisted') e"

/* At most this many words in a catalogue search (and 200 bytes). */
#define CATALOG_QUERY_TERMS 16

/* A catalogue query; NULL / 0 / false fields do not filter. */
struct catalog_filter {
	const char *program;        /* programme code */
	long long institution_id;
	const char *delivery;       /* online | offline | blended */
	const char *stage;          /* ladder stage the programme admits */
	bool open;                  /* has a section open for enrolment now */
	/* {"%word%",...}: a LIKE pattern (escaped) per search word, all of
	 * which must match; NULL: no search. */
	const char *patterns;
	/* The same patterns of the words of three characters or more, one
	 * condition each for the trigram index (the rest NULL). */
	const char *words[CATALOG_QUERY_TERMS];
	/* {"ab","cd"}: the two-character words, found through the bigram index. */
	const char *bigrams;
	long long after_id;         /* keyset: rank keys above this */
	int limit;
	const char *lang;           /* "ko" | "en" */
	bool include_unpublished;   /* drafts too, each item with "published":
				     * for the institution's managers only */
};

/* The rank key of a course in a search: its id when every search word is
 * in its title (or there is no search), this plus its id when not, so
 * title matches come first and one number still pages through both. Plain
 * digits: the SQL spells it out with CATALOG_STR. */
#define CATALOG_RANK_OTHER 1000000000000
#define CATALOG_STR_(x) #x
#define CATALOG_STR(x) CATALOG_STR_(x)

/* Published courses (with include_unpublished, all) matching f in rank
 * key order, into *page (new): {"items": [...], "last": rank key of the
 * last item or null, "total": how many courses match, on a first page
 * (after_id 0); 0 on later pages}. */
int catalog_store_courses(struct db_conn *db, const struct catalog_filter *f, json_t **page);

/*
 * The course id with its programme, institution, prerequisites and
 * sections (seats left, waitlist length, dates, instructors) into *course
 * (new); draft sections only when manager. *published and *institution_id
 * tell the caller whether to show it. LMS_ENOTFOUND when there is none.
 */
int catalog_store_course(struct db_conn *db, long long id, const char *lang, bool manager,
			 json_t **course);

/* The institution and published flag of course id; LMS_ENOTFOUND. */
int catalog_store_course_owner(struct db_conn *db, long long id, long long *institution_id,
			       bool *published);

/* Institutions / programmes in id order after after_id, at most limit. */
int catalog_store_institutions(struct db_conn *db, long long after_id, int limit,
			       const char *lang, json_t **items);
int catalog_store_programs(struct db_conn *db, long long after_id, int limit, const char *lang,
			   json_t **items);

#endif
