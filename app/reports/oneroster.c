/* oneroster.c - OneRoster 1.2 CSV: the files' headers and rows built from an
 * institution's rostering data (no I/O) */
#include "lms/reports/oneroster.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lms/catalog/catalog_rules.h"
#include "lms/core/err.h"

/* Headers as the CSV binding of OneRoster 1.2 (1EdTech OneRoster: CSV
 * Binding 1.2.1, section 3 "CSV Format": one table per file, its rows in
 * column order) spells them: importers match them exactly, case and order
 * included, and refuse a file that lacks a column even if it would be
 * empty. Every column is written; the required ones (sourcedId, and per
 * file the ones named in the row functions below) are filled. */
static const struct {
	const char *name;
	const char *header;
} files[ONEROSTER_NFILES] = {
	/* orgs.csv table */
	[ONEROSTER_ORGS] = {"orgs.csv",
			    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"},
	/* academicSessions.csv table */
	[ONEROSTER_ACADEMIC_SESSIONS] = {"academicSessions.csv",
					 "sourcedId,status,dateLastModified,title,type,startDate,"
					 "endDate,parentSourcedId,schoolYear"},
	/* courses.csv table */
	[ONEROSTER_COURSES] = {"courses.csv",
			       "sourcedId,status,dateLastModified,schoolYearSourcedId,title,"
			       "courseCode,grades,orgSourcedId,subjects,subjectCodes"},
	/* classes.csv table */
	[ONEROSTER_CLASSES] = {"classes.csv",
			       "sourcedId,status,dateLastModified,title,grades,courseSourcedId,"
			       "classCode,classType,location,schoolSourcedId,termSourcedIds,"
			       "subjects,subjectCodes,periods"},
	/* users.csv table: resourceSourcedIds (new in 1.2) sits between
	 * userMasterIdentifier and preferredGivenName. */
	[ONEROSTER_USERS] = {"users.csv",
			     "sourcedId,status,dateLastModified,enabledUser,username,userIds,"
			     "givenName,familyName,middleName,identifier,email,sms,phone,"
			     "agentSourcedIds,grades,password,userMasterIdentifier,"
			     "resourceSourcedIds,preferredGivenName,preferredMiddleName,"
			     "preferredFamilyName,primaryOrgSourcedId,pronouns"},
	/* roles.csv table (new in 1.2) */
	[ONEROSTER_ROLES] = {"roles.csv",
			     "sourcedId,status,dateLastModified,userSourcedId,roleType,role,"
			     "beginDate,endDate,orgSourcedId,userProfileSourcedId"},
	/* enrollments.csv table */
	[ONEROSTER_ENROLLMENTS] = {"enrollments.csv",
				   "sourcedId,status,dateLastModified,classSourcedId,"
				   "schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,"
				   "metadata.certificateSerial"},
};

/* Every file the 1.2 manifest names (CSV Binding 1.2.1, section 3, the
 * manifest.csv table: propertyName,value), in its order; ours are "bulk" (the
 * whole picture: what is missing is gone), the rest "absent". */
static const struct {
	const char *property;
	enum oneroster_file file; /* ONEROSTER_NFILES: not one of ours */
} manifest_files[] = {
	{"file.academicSessions", ONEROSTER_ACADEMIC_SESSIONS},
	{"file.categories", ONEROSTER_NFILES},
	{"file.classes", ONEROSTER_CLASSES},
	{"file.classResources", ONEROSTER_NFILES},
	{"file.courses", ONEROSTER_COURSES},
	{"file.courseResources", ONEROSTER_NFILES},
	{"file.demographics", ONEROSTER_NFILES},
	{"file.enrollments", ONEROSTER_ENROLLMENTS},
	{"file.lineItemLearningObjectiveIds", ONEROSTER_NFILES},
	{"file.lineItems", ONEROSTER_NFILES},
	{"file.lineItemScoreScales", ONEROSTER_NFILES},
	{"file.orgs", ONEROSTER_ORGS},
	{"file.resources", ONEROSTER_NFILES},
	{"file.resultLearningObjectiveIds", ONEROSTER_NFILES},
	{"file.results", ONEROSTER_NFILES},
	{"file.resultScoreScales", ONEROSTER_NFILES},
	{"file.roles", ONEROSTER_ROLES},
	{"file.scoreScales", ONEROSTER_NFILES},
	{"file.userProfiles", ONEROSTER_NFILES},
	{"file.userResources", ONEROSTER_NFILES},
	{"file.users", ONEROSTER_USERS},
};

const char *oneroster_file_name(enum oneroster_file f)
{
	return (unsigned)f < ONEROSTER_NFILES ? files[f].name : "";
}

const char *oneroster_file_header(enum oneroster_file f)
{
	return (unsigned)f < ONEROSTER_NFILES ? files[f].header : "";
}

int oneroster_export_init(struct oneroster_export *x, long long org_id, const char *lang)
{
	memset(x, 0, sizeof(*x));
	x->org_id = org_id;
	x->en = lang && strcmp(lang, "en") == 0;
	for (int f = 0; f < ONEROSTER_NFILES; f++) {
		const char *h = files[f].header;

		if (csv_writer_init(&x->files[f], false) < 0)
			return LMS_ENOMEM;
		while (*h) {
			size_t n = strcspn(h, ",");

			csv_cell_write(&x->files[f], h, n);
			h += n + (h[n] == ',');
		}
		if (csv_row_end(&x->files[f]) < 0)
			return LMS_ENOMEM;
	}
	return 0;
}

void oneroster_export_release(struct oneroster_export *x)
{
	for (int f = 0; f < ONEROSTER_NFILES; f++)
		csv_writer_release(&x->files[f]);
}

/* A cell of printf-style text (sourcedIds: "class-12"). */
static void cellf(struct csv_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cellf(struct csv_writer *w, const char *fmt, ...)
{
	char buf[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	csv_cell_write_str(w, buf);
}

/* n empty cells: optional columns we leave out, and status and
 * dateLastModified, which bulk files leave empty. */
static void empty(struct csv_writer *w, int n)
{
	while (n-- > 0)
		csv_cell_write(w, NULL, 0);
}

/* A term "YYYY-1|2|summer|winter", or a cohort "YYYY-cN" (기수): its
 * title in the export's language, its OneRoster type (a cohort is a
 * "term": the binding has no word for it) and its school year (the Korean
 * academic year is the term's year: a winter term in January belongs to
 * the year before). */
struct term_info {
	char title[64];
	const char *type;
	char year[5];
};

static void term_info(const char *term, bool en, struct term_info *t)
{
	static const struct {
		const char *suffix, *ko, *en, *type;
	} kinds[] = {
		{"1", "1학기", "semester 1", "semester"},
		{"2", "2학기", "semester 2", "semester"},
		{"summer", "여름학기", "summer term", "term"},
		{"winter", "겨울학기", "winter term", "term"},
	};
	bool dated;
	int cohort = catalog_rules_term_cohort(term);

	if (!term)
		term = "";
	dated = strlen(term) > 5 && strspn(term, "0123456789") == 4 && term[4] == '-';

	snprintf(t->title, sizeof(t->title), "%s", term);
	snprintf(t->year, sizeof(t->year), "%.4s", term);
	t->type = "term";
	for (size_t i = 0; dated && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(term + 5, kinds[i].suffix) != 0)
			continue;
		snprintf(t->title, sizeof(t->title), en ? "%.4s %s" : "%.4s년 %s", term,
			 en ? kinds[i].en : kinds[i].ko);
		t->type = kinds[i].type;
	}
	if (cohort)
		snprintf(t->title, sizeof(t->title), en ? "%.4s Cohort %d" : "%.4s년 %d기", term,
			 cohort);
}

static void org_row(struct oneroster_export *x, struct csv_writer *w,
		    const struct oneroster_row *r)
{
	cellf(w, "org-%lld", r->id);
	empty(w, 2);
	csv_cell_write_str(w, r->title);
	/* Classes and enrollments name their "school": an org of another
	 * type would leave them pointing at no school, so every institution
	 * (university, museum, city) is one here, without a parent. */
	csv_cell_write_str(w, "school");
	csv_cell_write_str(w, r->code); /* identifier */
	empty(w, 1);                    /* parentSourcedId */
}

static void session_row(struct oneroster_export *x, struct csv_writer *w,
			const struct oneroster_row *r)
{
	struct term_info t;

	term_info(r->code, x->en, &t);
	cellf(w, "term-%s", r->code);
	empty(w, 2);
	csv_cell_write_str(w, t.title);
	csv_cell_write_str(w, t.type);
	csv_cell_write_str(w, r->starts_on);
	csv_cell_write_str(w, r->ends_on);
	empty(w, 1); /* parentSourcedId */
	csv_cell_write_str(w, t.year);
}

static void course_row(struct oneroster_export *x, struct csv_writer *w,
		       const struct oneroster_row *r)
{
	cellf(w, "course-%lld", r->id);
	empty(w, 3); /* status, dateLastModified, schoolYearSourcedId */
	csv_cell_write_str(w, r->title);
	csv_cell_write_str(w, r->code);
	empty(w, 1); /* grades */
	cellf(w, "org-%lld", x->org_id);
	empty(w, 2); /* subjects, subjectCodes */
}

static void class_row(struct oneroster_export *x, struct csv_writer *w,
		      const struct oneroster_row *r)
{
	struct term_info t;
	char title[1024];

	/* A course runs several classes a year: the title says which term,
	 * the class code which one of them. */
	term_info(r->term, x->en, &t);
	snprintf(title, sizeof(title), "%s (%s)", r->title, t.title);
	cellf(w, "class-%lld", r->id);
	empty(w, 2);
	csv_cell_write_str(w, title);
	empty(w, 1); /* grades */
	cellf(w, "course-%lld", r->course_id);
	cellf(w, "%s-%lld", r->code, r->id); /* classCode */
	csv_cell_write_str(w, "scheduled");
	empty(w, 1); /* location: sessions meet in rooms of their own */
	cellf(w, "org-%lld", x->org_id);
	cellf(w, "term-%s", r->term);
	empty(w, 3); /* subjects, subjectCodes, periods */
}

static void user_row(struct oneroster_export *x, struct csv_writer *w,
		     const struct oneroster_row *r)
{
	struct oneroster_name n;

	oneroster_name_split(r->title, &n);
	cellf(w, "user-%lld", r->id);
	empty(w, 2);
	csv_cell_write_str(w, "true");   /* enabledUser */
	csv_cell_write_str(w, r->email); /* username: people sign in with it */
	empty(w, 1);                     /* userIds */
	csv_cell_write(w, n.given, n.given_len);
	csv_cell_write(w, n.family, n.family_len);
	empty(w, 2); /* middleName, identifier */
	csv_cell_write_str(w, r->email);
	/* sms, phone, agentSourcedIds, grades, password, userMasterIdentifier,
	 * resourceSourcedIds, the three preferred names, primaryOrgSourcedId,
	 * pronouns: the platform keeps none of them, or they are no partner's
	 * business. */
	empty(w, 12);
}

/* A role of user r at the export's institution. */
static void role_row(struct oneroster_export *x, struct csv_writer *w,
		     const struct oneroster_row *r, const char *role, bool primary)
{
	cellf(w, "role-%lld-%lld-%s", x->org_id, r->id, role);
	empty(w, 2);
	cellf(w, "user-%lld", r->id);
	csv_cell_write_str(w, primary ? "primary" : "secondary");
	csv_cell_write_str(w, role);
	empty(w, 2); /* beginDate, endDate */
	cellf(w, "org-%lld", x->org_id);
	empty(w, 1); /* userProfileSourcedId */
	csv_row_end(w);
	x->rows[ONEROSTER_ROLES]++;
}

static void enrollment_row(struct oneroster_export *x, struct csv_writer *w,
			   const struct oneroster_row *r)
{
	/* An instructor's assignment has no enrolment row of its own: its id
	 * is the class and the person. */
	if (r->teacher)
		cellf(w, "tch-%lld-%lld", r->section_id, r->user_id);
	else
		cellf(w, "enr-%lld", r->id);
	empty(w, 2);
	cellf(w, "class-%lld", r->section_id);
	cellf(w, "org-%lld", x->org_id);
	cellf(w, "user-%lld", r->user_id);
	csv_cell_write_str(w, r->teacher ? "teacher" : "student");
	/* primary is for teachers only: the class's only instructor is its
	 * primary one; with several, none is singled out. */
	csv_cell_write_str(w, !r->teacher ? NULL : r->primary ? "true" : "false");
	empty(w, 2); /* beginDate, endDate: the class's term says */
	/* An extension column (CSV binding: "metadata." and a name): the
	 * serial of the certificate of completion, for the receiving system
	 * to link to its public verification. */
	csv_cell_write_str(w, r->certificate_serial);
}

int oneroster_row_add(struct oneroster_export *x, enum oneroster_file file,
		      const struct oneroster_row *r)
{
	static void (*const rows[ONEROSTER_NFILES])(struct oneroster_export *, struct csv_writer *,
						     const struct oneroster_row *) = {
		[ONEROSTER_ORGS] = org_row,
		[ONEROSTER_ACADEMIC_SESSIONS] = session_row,
		[ONEROSTER_COURSES] = course_row,
		[ONEROSTER_CLASSES] = class_row,
		[ONEROSTER_USERS] = user_row,
		[ONEROSTER_ENROLLMENTS] = enrollment_row,
	};
	struct csv_writer *w;

	if ((unsigned)file >= ONEROSTER_NFILES || !rows[file])
		return LMS_EINVAL;
	w = &x->files[file];
	rows[file](x, w, r);
	csv_row_end(w);
	x->rows[file]++;
	/* Someone who teaches here is first of all a teacher to the
	 * institution, whatever else they take. */
	if (file == ONEROSTER_USERS && r->teacher)
		role_row(x, &x->files[ONEROSTER_ROLES], r, "teacher", true);
	if (file == ONEROSTER_USERS && r->student)
		role_row(x, &x->files[ONEROSTER_ROLES], r, "student", !r->teacher);
	return w->err ? w->err : x->files[ONEROSTER_ROLES].err;
}

int oneroster_manifest_write(struct csv_writer *w)
{
	const char *const version[][2] = {
		{"propertyName", "value"},
		{"manifest.version", "1.0"},
		{"oneroster.version", "1.2"},
	};
	const char *const source[][2] = {
		{"source.systemName", "Gwangju AI Talent Platform"},
		{"source.systemCode", "lms"},
	};

	for (size_t i = 0; i < sizeof(version) / sizeof(version[0]); i++)
		csv_row_write(w, version[i], 2);
	for (size_t i = 0; i < sizeof(manifest_files) / sizeof(manifest_files[0]); i++) {
		const char *row[] = {manifest_files[i].property,
				     manifest_files[i].file == ONEROSTER_NFILES ? "absent" : "bulk"};

		csv_row_write(w, row, 2);
	}
	for (size_t i = 0; i < sizeof(source) / sizeof(source[0]); i++)
		csv_row_write(w, source[i], 2);
	return w->err;
}

/* The code point of a Hangul syllable (U+AC00..U+D7A3) at s, else 0. */
static unsigned hangul_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;

	if (u[0] < 0xEA || u[0] > 0xED || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80)
		return 0;
	cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu);
	return cp >= 0xAC00 && cp <= 0xD7A3 ? cp : 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

void oneroster_name_split(const char *name, struct oneroster_name *out)
{
	static const char *const double_surnames[] = {
		"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방",
	};
	const char *s = name ? name : "", *e, *p;
	size_t syllables = 0;

	while (blank(*s))
		s++;
	for (e = s + strlen(s); e > s && blank(e[-1]);)
		e--;
	/* One word unless split below: both names are the whole of it. */
	*out = (struct oneroster_name){s, (size_t)(e - s), s, (size_t)(e - s)};

	for (p = s; p < e && !blank(*p);)
		p++;
	if (p < e) {
		const char *last = e, *before;

		if (hangul_at(s)) {
			/* Korean order: family name, then given name. */
			out->family_len = (size_t)(p - s);
			while (blank(*p))
				p++;
			out->given = p;
			out->given_len = (size_t)(e - p);
			return;
		}
		while (!blank(last[-1]))
			last--;
		for (before = last; blank(before[-1]);)
			before--;
		out->given_len = (size_t)(before - s);
		out->family = last;
		out->family_len = (size_t)(e - last);
		return;
	}

	for (p = s; p < e && (size_t)(e - p) >= 3 && hangul_at(p); p += 3)
		syllables++;
	if (p != e || syllables < 2 || syllables > 5)
		return;
	out->family_len = 3;
	for (size_t i = 0; syllables >= 3 && i < sizeof(double_surnames) / sizeof(double_surnames[0]);
	     i++)
		if (strncmp(s, double_surnames[i], 6) == 0)
			out->family_len = 6;
	out->given = s + out->family_len;
	out->given_len = (size_t)(e - out->given);
}
