/* oneroster.h - OneRoster 1.2 CSV: the files' headers and rows built from an
 * institution's rostering data (no I/O) */
#ifndef LMS_REPORTS_ONEROSTER_H
#define LMS_REPORTS_ONEROSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "lms/http/csv.h"

/*
 * The data files of an export (OneRoster 1.2 CSV binding, bulk mode), in
 * the order an importer reads them: what a row refers to comes first.
 * Roles are written from the users' rows; every other file has a source
 * of its own.
 */
enum oneroster_file {
	ONEROSTER_ORGS,
	ONEROSTER_ACADEMIC_SESSIONS,
	ONEROSTER_COURSES,
	ONEROSTER_CLASSES,
	ONEROSTER_USERS,
	ONEROSTER_ROLES,
	ONEROSTER_ENROLLMENTS,
	ONEROSTER_NFILES
};

/* The name of file f inside the archive ("users.csv"); static. */
const char *oneroster_file_name(enum oneroster_file f);

/* Its column headers joined with commas, exactly as the binding spells
 * them ("sourcedId,status,dateLastModified,..."); static. */
const char *oneroster_file_header(enum oneroster_file f);

/*
 * One row read from the platform, for the file it feeds. Strings are
 * borrowed for the call; which members a file reads:
 * - orgs: id (institution), code, title (name)
 * - academicSessions: code (the term, "2027-1"), starts_on, ends_on (the
 *   first and last day of the institution's classes in it, YYYY-MM-DD)
 * - courses: id, code, title
 * - classes: id (section), course_id, code and title (the course's), term
 * - users: id, title (display name), email, teacher and student (the
 *   roles held in the export's classes)
 * - enrollments: id (the enrolment; unused for a teacher), section_id,
 *   user_id, teacher (an instructor's assignment), primary (the class's
 *   only instructor)
 */
struct oneroster_row {
	long long id;
	long long course_id;
	long long section_id;
	long long user_id;
	const char *code;
	const char *title;
	const char *email;
	const char *term;
	const char *starts_on;
	const char *ends_on;
	bool teacher;
	bool student;
	bool primary;
	const char *certificate_serial; /* an enrolment's valid certificate, or NULL */
};

/*
 * The CSV text of every data file of one institution's export, being
 * written: each starts with its header row (no byte order mark, rows end
 * in CRLF, RFC 4180 quoting; cells that begin like a spreadsheet formula
 * get a leading ' as in every CSV of the platform). A caller that streams
 * takes files[f].data and clears it (csv_writer_clear) as it likes.
 */
struct oneroster_export {
	long long org_id;                          /* the institution exported */
	bool en;                                   /* term titles in English */
	struct csv_writer files[ONEROSTER_NFILES];
	long long rows[ONEROSTER_NFILES];          /* data rows written, headers aside */
};

/* Starts an export of institution org_id with titles in lang ("ko" or
 * "en"). Returns 0 or LMS_ENOMEM; release x in either case. */
int oneroster_export_init(struct oneroster_export *x, long long org_id, const char *lang);

/* Frees the text of x; accepts a zeroed export. */
void oneroster_export_release(struct oneroster_export *x);

/*
 * Adds the rows r makes to the files of x: one row to file, and for a user
 * also its roles (teacher, student or both) to roles.csv. file is the
 * row's source (never ONEROSTER_ROLES). Returns 0, LMS_EINVAL or
 * LMS_ENOMEM.
 */
int oneroster_row_add(struct oneroster_export *x, enum oneroster_file file,
		      const struct oneroster_row *r);

/* Writes manifest.csv into w (initialised by the caller): manifest 1.0,
 * OneRoster 1.2, the export's files "bulk", every other file "absent".
 * Returns 0 or LMS_ENOMEM. */
int oneroster_manifest_write(struct csv_writer *w);

/*
 * The given and family names OneRoster requires, from the one display
 * name the platform keeps (pointers into name, not NUL-terminated):
 * - with a space: a name that begins in Hangul is family name first
 *   ("홍 길동"), any other given names first ("Jane Q. Doe": family "Doe");
 * - Hangul alone, 2 to 5 syllables ("김민수"): the first syllable is the
 *   family name, the first two for the two-syllable family names (남궁,
 *   황보, 제갈, 선우, 독고, 사공, 서문, 동방) of a name of three or more;
 * - anything else (one word, "Admin"): the whole name is both, since
 *   importers refuse a row without a family name.
 */
struct oneroster_name {
	const char *given;
	size_t given_len;
	const char *family;
	size_t family_len;
};
void oneroster_name_split(const char *name, struct oneroster_name *out);

#endif
