/* catalog_seed.c - the demo catalogue and the synthetic benchmark catalogue */
#include "lms/seed/catalog_seed.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/seed/seed.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What the catalogue is made from, read from the seed directory: the
 * strings are borrowed from the files' JSON, held by struct catalog_data. */

/* A programme of programs.json: what its courses' titles and summaries
 * need (the rest goes to the database as it is). */
struct program {
	const char *code, *ko, *en, *summary_ko, *summary_en;
	const char *tag;                 /* added to its courses' tags */
	const char *pitch_ko, *pitch_en; /* what its courses do, for their summaries */
};

/* A subject taught as one course per offering institution. */
struct topic {
	const char *ko, *en;
	const json_t *tags; /* array of strings */
	size_t level;       /* index into levels */
	const char *after;  /* the topic (Korean name) to complete first: a ladder rung */
};

/* A programme's courses at one institution: topics[first .. first + n). */
struct track {
	const char *program, *institution;
	const char *code;       /* course code prefix */
	const char *ko, *en;    /* title prefix */
	struct topic *topics;   /* its topic sets one after another (malloc'd) */
	size_t ntopics, first, n;
	const char *deliveries; /* cycled over the courses: letters of deliveries */
	bool content;           /* with modules and lessons */
};

/* Who teaches: an institution's sections numbered offset, offset + every,
 * ... in the order they are made. A NULL name is an account seed_demo makes
 * (the demo instructor, home GIST, shared with Chonnam). */
struct staff {
	const char *email, *name, *institution;
	unsigned every, offset;
};

/* A level or a mode of delivery, with the sentence summaries add. */
struct label {
	const char *name, *letter, *ko, *en;
};

/* Modules and lessons of a course with content; "{t}" and "{e}" stand for
 * the topic in Korean and English. */
#define MODULES 4
#define LESSONS 3
struct lesson_tmpl {
	const char *ko, *en, *kind;
	const char *url; /* a link's; a video's is made per course */
	int minutes;
	const char *body;
};

struct catalog_data {
	json_t *programs_json, *catalog, *content, *profiles, *facilities, *kpi;
	struct program *programs;
	size_t nprograms, ntracks, nstaff;
	struct track *tracks;
	struct staff *staff;
	struct label levels[3], deliveries[3];
	struct label module_tmpl[MODULES];
	struct lesson_tmpl lesson_tmpl[MODULES][LESSONS];
};

/* Writes "seed data <file>: <where>: <what>" into err; returns LMS_EINVAL. */
static int data_error(char *err, size_t errlen, const char *file, const char *where,
		      size_t i, const char *what)
{
	snprintf(err, errlen, "seed data %s: %s[%zu]: %s", file, where, i, what);
	return LMS_EINVAL;
}

/* v is a string or null: *out is it, or NULL. */
static bool string_or_null(const json_t *v, const char **out)
{
	*out = json_string_value(v);
	return json_is_string(v) || json_is_null(v);
}

static int programs_parse(struct catalog_data *d, char *err, size_t errlen)
{
	json_t *v, *stages, *minimum;
	json_error_t e;
	size_t i;
	int aff, appr;

	if (!json_is_array(d->programs_json))
		return data_error(err, errlen, "programs.json", "", 0, "not an array");
	d->nprograms = json_array_size(d->programs_json);
	if (!(d->programs = calloc(d->nprograms + 1, sizeof(*d->programs))))
		return LMS_ENOMEM;
	json_array_foreach(d->programs_json, i, v) {
		struct program *p = &d->programs[i];

		if (json_unpack_ex(v, &e, JSON_STRICT,
				   "{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:o, s:s, s:s, s:s}",
				   "code", &p->code, "name_ko", &p->ko, "name_en", &p->en,
				   "summary_ko", &p->summary_ko, "summary_en", &p->summary_en,
				   "stages", &stages, "affiliation", &aff, "approval", &appr,
				   "min_attendance", &minimum, "tag", &p->tag, "pitch_ko",
				   &p->pitch_ko, "pitch_en", &p->pitch_en) != 0)
			return data_error(err, errlen, "programs.json", "", i, e.text);
	}
	return d->nprograms ? 0 : data_error(err, errlen, "programs.json", "", 0, "no programme");
}

/* The three levels (beginner, intermediate, advanced) and the three modes of
 * delivery (with the letter tracks name them by). */
static int labels_parse(struct catalog_data *d, char *err, size_t errlen)
{
	json_t *levels = json_object_get(d->catalog, "levels"), *v;
	json_t *deliveries = json_object_get(d->catalog, "deliveries");
	json_error_t e;
	size_t i;

	if (json_array_size(levels) != COUNT(d->levels) ||
	    json_array_size(deliveries) != COUNT(d->deliveries))
		return data_error(err, errlen, "catalog.json", "levels", 0,
				  "three levels and three deliveries are needed");
	json_array_foreach(levels, i, v) {
		struct label *l = &d->levels[i];

		if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:s, s:s}", "name", &l->name, "ko",
				   &l->ko, "en", &l->en) != 0)
			return data_error(err, errlen, "catalog.json", "levels", i, e.text);
	}
	json_array_foreach(deliveries, i, v) {
		struct label *l = &d->deliveries[i];

		if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:s, s:s, s:s}", "name", &l->name,
				   "letter", &l->letter, "ko", &l->ko, "en", &l->en) != 0)
			return data_error(err, errlen, "catalog.json", "deliveries", i, e.text);
		if (strlen(l->letter) != 1)
			return data_error(err, errlen, "catalog.json", "deliveries", i,
					  "letter must be one character");
	}
	return 0;
}

static bool level_find(const struct catalog_data *d, const char *name, size_t *level)
{
	for (*level = 0; *level < COUNT(d->levels); ++*level)
		if (!strcmp(d->levels[*level].name, name))
			return true;
	return false;
}

static int topic_parse(const struct catalog_data *d, json_t *v, struct topic *t, char *err,
		       size_t errlen, const char *set, size_t i)
{
	json_t *after, *tag;
	const char *level;
	json_error_t e;
	size_t j;

	if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:s, s:o, s:s, s:o}", "ko", &t->ko, "en",
			   &t->en, "tags", &t->tags, "level", &level, "after", &after) != 0)
		return data_error(err, errlen, "catalog.json", set, i, e.text);
	if (!json_is_array(t->tags))
		return data_error(err, errlen, "catalog.json", set, i, "tags must be an array");
	json_array_foreach(t->tags, j, tag)
		if (!json_is_string(tag))
			return data_error(err, errlen, "catalog.json", set, i, "a tag is not a string");
	if (!level_find(d, level, &t->level))
		return data_error(err, errlen, "catalog.json", set, i, "level names no level");
	if (!string_or_null(after, &t->after))
		return data_error(err, errlen, "catalog.json", set, i, "after must be a string or null");
	return 0;
}

/* The topic sets named by sets (an array of names of "topics"), one after
 * another, into t->topics. */
static int track_topics(const struct catalog_data *d, const json_t *sets, struct track *t,
			char *err, size_t errlen, size_t i)
{
	json_t *all = json_object_get(d->catalog, "topics"), *name, *set, *v;
	size_t j, k;
	int rc;

	json_array_foreach(sets, j, name)
		if (!json_is_string(name) ||
		    !json_is_array(set = json_object_get(all, json_string_value(name))))
			return data_error(err, errlen, "catalog.json", "tracks", i,
					  "topics names a set that does not exist");
		else
			t->ntopics += json_array_size(set);
	if (!(t->topics = calloc(t->ntopics + 1, sizeof(*t->topics))))
		return LMS_ENOMEM;
	t->ntopics = 0;
	json_array_foreach(sets, j, name) {
		set = json_object_get(all, json_string_value(name));
		json_array_foreach(set, k, v)
			if ((rc = topic_parse(d, v, &t->topics[t->ntopics++], err, errlen,
					      json_string_value(name), k)) < 0)
				return rc;
	}
	return 0;
}

static bool deliveries_known(const struct catalog_data *d, const char *letters)
{
	for (const char *c = letters; *c; c++) {
		size_t k = 0;

		while (k < COUNT(d->deliveries) && d->deliveries[k].letter[0] != *c)
			k++;
		if (k == COUNT(d->deliveries))
			return false;
	}
	return *letters != '\0';
}

static int tracks_parse(struct catalog_data *d, char *err, size_t errlen)
{
	json_t *tracks = json_object_get(d->catalog, "tracks"), *v, *sets;
	json_int_t first, n;
	json_error_t e;
	size_t i;
	int content, rc;

	d->ntracks = json_array_size(tracks);
	if (!(d->tracks = calloc(d->ntracks + 1, sizeof(*d->tracks))))
		return LMS_ENOMEM;
	json_array_foreach(tracks, i, v) {
		struct track *t = &d->tracks[i];

		if (json_unpack_ex(v, &e, JSON_STRICT,
				   "{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:b}", "program",
				   &t->program, "institution", &t->institution, "code", &t->code,
				   "ko", &t->ko, "en", &t->en, "topics", &sets, "first", &first, "n",
				   &n, "deliveries", &t->deliveries, "content", &content) != 0)
			return data_error(err, errlen, "catalog.json", "tracks", i, e.text);
		if ((rc = track_topics(d, sets, t, err, errlen, i)) < 0)
			return rc;
		if (first < 0 || n < 1 || (size_t)first + (size_t)n > t->ntopics || n > 99)
			return data_error(err, errlen, "catalog.json", "tracks", i,
					  "first and n must pick 1 to 99 of its topics");
		if (!deliveries_known(d, t->deliveries))
			return data_error(err, errlen, "catalog.json", "tracks", i,
					  "deliveries must be letters of deliveries");
		t->first = (size_t)first;
		t->n = (size_t)n;
		t->content = content;
	}
	return 0;
}

static int staff_parse(struct catalog_data *d, char *err, size_t errlen)
{
	json_t *staff = json_object_get(d->catalog, "staff"), *v, *name;
	json_error_t e;
	size_t i;
	int every, offset;

	d->nstaff = json_array_size(staff);
	if (!(d->staff = calloc(d->nstaff + 1, sizeof(*d->staff))))
		return LMS_ENOMEM;
	json_array_foreach(staff, i, v) {
		struct staff *s = &d->staff[i];

		if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:o, s:s, s:i, s:i}", "email",
				   &s->email, "name", &name, "institution", &s->institution,
				   "every", &every, "offset", &offset) != 0)
			return data_error(err, errlen, "catalog.json", "staff", i, e.text);
		if (!string_or_null(name, &s->name) || every < 1 || offset < 0)
			return data_error(err, errlen, "catalog.json", "staff", i,
					  "name must be a string or null, every at least 1, "
					  "offset at least 0");
		s->every = (unsigned)every;
		s->offset = (unsigned)offset;
	}
	return 0;
}

static int lesson_parse(json_t *v, struct lesson_tmpl *l, char *err, size_t errlen, size_t i)
{
	json_t *url, *minutes;
	json_error_t e;

	if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:s, s:s, s:o, s:o, s:s}", "ko", &l->ko,
			   "en", &l->en, "kind", &l->kind, "url", &url, "minutes", &minutes, "body",
			   &l->body) != 0)
		return data_error(err, errlen, "content.json", "lessons", i, e.text);
	if (!string_or_null(url, &l->url) || !(json_is_null(minutes) || json_is_integer(minutes)))
		return data_error(err, errlen, "content.json", "lessons", i,
				  "url must be a string or null, minutes an integer or null");
	l->minutes = (int)json_integer_value(minutes);
	return 0;
}

/* The four modules of a course with content, three lessons each. */
static int content_parse(struct catalog_data *d, char *err, size_t errlen)
{
	json_t *modules = json_object_get(d->content, "modules"), *lessons;
	json_error_t e;
	int rc;

	if (json_array_size(modules) != MODULES)
		return data_error(err, errlen, "content.json", "modules", 0, "four are needed");
	for (size_t m = 0; m < MODULES; m++) {
		if (json_unpack_ex(json_array_get(modules, m), &e, JSON_STRICT, "{s:s, s:s, s:o}",
				   "ko", &d->module_tmpl[m].ko, "en", &d->module_tmpl[m].en,
				   "lessons", &lessons) != 0)
			return data_error(err, errlen, "content.json", "modules", m, e.text);
		if (json_array_size(lessons) != LESSONS)
			return data_error(err, errlen, "content.json", "modules", m,
					  "three lessons are needed");
		for (size_t l = 0; l < LESSONS; l++)
			if ((rc = lesson_parse(json_array_get(lessons, l), &d->lesson_tmpl[m][l],
					       err, errlen, m * LESSONS + l)) < 0)
				return rc;
	}
	return 0;
}

static void catalog_data_release(struct catalog_data *d)
{
	for (size_t i = 0; d->tracks && i < d->ntracks; i++)
		free(d->tracks[i].topics);
	free(d->tracks);
	free(d->staff);
	free(d->programs);
	json_decref(d->programs_json);
	json_decref(d->catalog);
	json_decref(d->content);
	json_decref(d->profiles);
	json_decref(d->facilities);
	json_decref(d->kpi);
}

/* Reads the demo catalogue's files in dir into *d (release it either way). */
static int catalog_data_load(struct catalog_data *d, const char *dir, char *err, size_t errlen)
{
	int rc;

	if ((rc = seed_data_load(dir, "programs.json", &d->programs_json, err, errlen)) < 0 ||
	    (rc = seed_data_load(dir, "catalog.json", &d->catalog, err, errlen)) < 0 ||
	    (rc = seed_data_load(dir, "content.json", &d->content, err, errlen)) < 0 ||
	    (rc = seed_data_load(dir, "profiles.json", &d->profiles, err, errlen)) < 0 ||
	    (rc = seed_data_load(dir, "facilities.json", &d->facilities, err, errlen)) < 0 ||
	    (rc = seed_data_load(dir, "kpi_outputs.json", &d->kpi, err, errlen)) < 0)
		return rc;
	if ((rc = programs_parse(d, err, errlen)) < 0 || (rc = labels_parse(d, err, errlen)) < 0 ||
	    (rc = tracks_parse(d, err, errlen)) < 0 || (rc = staff_parse(d, err, errlen)) < 0 ||
	    (rc = content_parse(d, err, errlen)) < 0) {
		if (rc == LMS_ENOMEM)
			snprintf(err, errlen, "seed data: %s", lms_strerror(rc));
		return rc;
	}
	return 0;
}

/* A term of the academic year: 1 is March to June, 2 September to December. */
struct term {
	char name[16], starts_on[16], ends_on[16];
};

/* The rows being built, one JSON array per table. */
struct gen {
	const struct term *terms;  /* the next two */
	const struct catalog_data *d;
	json_t *courses, *prereqs, *sections, *teaching, *modules, *lessons;
	size_t ncourses, nsections;
	unsigned *seen;  /* sections of each staff row's institution so far */
	bool oom;
};

static void push(struct gen *g, json_t *array, json_t *row)
{
	if (!row || json_array_append_new(array, row) != 0)
		g->oom = true;
}

/* tags with extra added unless NULL or among them, as a new array. */
static json_t *tags_with(const json_t *tags, const char *extra)
{
	json_t *a = json_copy((json_t *)tags), *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (extra && !strcmp(json_string_value(v), extra))
			extra = NULL;
	if (a && extra && json_array_append_new(a, json_string(extra)) != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* tmpl with "{t}" replaced by ko and "{e}" by en, as a new string (free()
 * it), or NULL when out of memory. */
static char *fill(const char *tmpl, const char *ko, const char *en)
{
	size_t len = strlen(tmpl) + 1;
	char *out, *o;

	for (const char *p = tmpl; (p = strchr(p, '{')); p++)
		len += strlen(!strncmp(p, "{t}", 3) ? ko : !strncmp(p, "{e}", 3) ? en : "");
	if (!(out = o = malloc(len)))
		return NULL;
	while (*tmpl) {
		if (!strncmp(tmpl, "{t}", 3) || !strncmp(tmpl, "{e}", 3)) {
			o = stpcpy(o, tmpl[1] == 't' ? ko : en);
			tmpl += 3;
		} else {
			*o++ = *tmpl++;
		}
	}
	*o = '\0';
	return out;
}

/* The programme of code (the first when none has it). */
static const struct program *program_find(const struct catalog_data *d, const char *code)
{
	for (size_t i = 0; i < d->nprograms; i++)
		if (!strcmp(d->programs[i].code, code))
			return &d->programs[i];
	return &d->programs[0];
}

/* The delivery of letter (every track's letters are known). */
static size_t delivery_index(const struct catalog_data *d, char letter)
{
	size_t k = 0;

	while (k + 1 < COUNT(d->deliveries) && d->deliveries[k].letter[0] != letter)
		k++;
	return k;
}

/* The code of topic i of t: prefix, level digit, number, e.g. AIA-204. */
static void course_code(const struct track *t, size_t i, char *code, size_t len)
{
	snprintf(code, len, "%s-%zu%02zu", t->code, t->topics[i].level + 1, i + 1);
}

/* Adds a section of course code in term, and who teaches it. A demo section
 * has 30 seats and a window open from long ago to its last day. */
static void section_emit(struct gen *g, const struct track *t, const char *code,
			 const struct term *term, bool published, bool demo)
{
	static const char *const windows[] = {"open", "open", "upcoming", "open", "closed"};
	size_t s = g->nsections++;
	const char *status = "open", *window = demo ? "demo" : windows[s % COUNT(windows)];
	int capacity = demo ? 30 : 15 + (int)(s * 7 % 26);

	if (!published)
		status = "draft";
	else if (!demo && s % 19 == 4)
		status = "draft";
	else if (!demo && s % 23 == 9)
		status = "closed";
	else if (!demo && s % 29 == 13)
		status = "cancelled";
	push(g, g->sections,
	     json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "inst", t->institution, "code",
		       code, "term", term->name, "starts_on", term->starts_on, "ends_on",
		       term->ends_on, "capacity", capacity, "status", status, "win", window));
	for (size_t j = 0; j < g->d->nstaff; j++) {
		const struct staff *st = &g->d->staff[j];

		if (strcmp(st->institution, t->institution) != 0)
			continue;
		if (g->seen[j]++ % st->every == st->offset)
			push(g, g->teaching,
			     json_pack("{s:s, s:s, s:s, s:s}", "inst", t->institution, "code", code,
				       "term", term->name, "email", st->email));
	}
}

static void content_emit(struct gen *g, const struct track *t, const char *code,
			 const struct topic *tp, size_t k)
{
	char url[256];

	for (size_t m = 0; m < 3 + k % 2; m++) {
		char *ko = fill(g->d->module_tmpl[m].ko, tp->ko, tp->en);
		char *en = fill(g->d->module_tmpl[m].en, tp->ko, tp->en);

		push(g, g->modules,
		     json_pack("{s:s, s:s, s:i, s:s, s:s}", "inst", t->institution, "code", code,
			       "pos", (int)m + 1, "title_ko", ko, "title_en", en));
		free(ko);
		free(en);
		for (size_t l = 0; l < 2 + (k + m) % 2; l++) {
			const struct lesson_tmpl *lt = &g->d->lesson_tmpl[m][l];
			char *body = fill(lt->body, tp->ko, tp->en);

			ko = fill(lt->ko, tp->ko, tp->en);
			en = fill(lt->en, tp->ko, tp->en);
			snprintf(url, sizeof(url), "https://video.example.com/lms/%s/%s/%zu-%zu",
				 t->institution, code, m + 1, l + 1);
			push(g, g->lessons,
			     json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s?, s:o}", "inst",
				       t->institution, "code", code, "module", (int)m + 1, "pos",
				       (int)l + 1, "title_ko", ko, "title_en", en, "kind", lt->kind,
				       "body", body,
				       "url", !strcmp(lt->kind, "video") ? url : lt->url,
				       "minutes",
				       lt->minutes ? json_integer(lt->minutes) : json_null()));
			free(body);
			free(ko);
			free(en);
		}
	}
}

static void course_emit(struct gen *g, const struct track *t, size_t i)
{
	const struct catalog_data *d = g->d;
	const struct program *p = program_find(d, t->program);
	const struct topic *tp = &t->topics[i];
	size_t k = g->ncourses++, lv = tp->level;
	size_t dv = delivery_index(d, t->deliveries[(i - t->first) % strlen(t->deliveries)]);
	bool published = k % 31 != 17;
	char code[48], pre[48], title_ko[256], title_en[256], sum_ko[1024], sum_en[1024],
		desc[4096];

	course_code(t, i, code, sizeof(code));
	snprintf(title_ko, sizeof(title_ko), "%s%s", t->ko, tp->ko);
	snprintf(title_en, sizeof(title_en), "%s%s", t->en, tp->en);
	snprintf(sum_ko, sizeof(sum_ko), "%s — %s %s %s", tp->ko, p->pitch_ko, d->levels[lv].ko,
		 d->deliveries[dv].ko);
	snprintf(sum_en, sizeof(sum_en), "%s — %s %s %s", tp->en, p->pitch_en, d->levels[lv].en,
		 d->deliveries[dv].en);
	snprintf(desc, sizeof(desc),
		 "## 과정 소개\n\n%s\n\n## 프로그램\n\n%s: %s\n\n## Overview\n\n%s\n\n"
		 "## Programme\n\n%s: %s\n",
		 sum_ko, p->ko, p->summary_ko, sum_en, p->en, p->summary_en);
	push(g, g->courses,
	     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "inst",
		       t->institution, "program", t->program, "code", code, "title_ko", title_ko,
		       "title_en", title_en, "summary_ko", sum_ko, "summary_en", sum_en,
		       "description", desc, "delivery", d->deliveries[dv].name, "level",
		       d->levels[lv].name, "tags", tags_with(tp->tags, p->tag), "published",
		       published));
	for (size_t j = t->first; tp->after && j < t->first + t->n; j++) {
		if (strcmp(t->topics[j].ko, tp->after) != 0)
			continue;
		course_code(t, j, pre, sizeof(pre));
		push(g, g->prereqs,
		     json_pack("{s:s, s:s, s:s}", "inst", t->institution, "code", code, "pre", pre));
	}
	for (size_t term = 0; term < 2; term++) {
		if (term == 1 && k % 3 == 2)
			continue;
		section_emit(g, t, code, &g->terms[term], published,
			     published && term == 0 && i == t->first);
	}
	if (t->content)
		content_emit(g, t, code, tp, k);
}

static void track_emit(struct gen *g, const struct track *t)
{
	for (size_t i = t->first; i < t->first + t->n; i++)
		course_emit(g, t, i);
}

/* The first two terms that start after today (in Korea). */
static int next_terms(struct db_conn *db, struct term terms[2], char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc;

	rc = db_exec(db, &res,
		     "SELECT y || '-' || t.n, to_char(t.s, 'YYYY-MM-DD'), to_char(t.e, 'YYYY-MM-DD')"
		     " FROM (SELECT (now() AT TIME ZONE 'Asia/Seoul')::date AS today) d,"
		     " generate_series(extract(year FROM d.today)::int,"
		     "  extract(year FROM d.today)::int + 1) y,"
		     " LATERAL (VALUES (1, make_date(y, 3, 2), make_date(y, 6, 20)),"
		     "  (2, make_date(y, 9, 1), make_date(y, 12, 20))) t(n, s, e)"
		     " WHERE t.s > d.today ORDER BY t.s LIMIT 2",
		     0, NULL);
	if (rc < 0)
		return seed_error(db, rc, err, errlen, "terms");
	for (int i = 0; i < 2; i++) {
		snprintf(terms[i].name, sizeof(terms[i].name), "%s", PQgetvalue(res, i, 0));
		snprintf(terms[i].starts_on, sizeof(terms[i].starts_on), "%s", PQgetvalue(res, i, 1));
		snprintf(terms[i].ends_on, sizeof(terms[i].ends_on), "%s", PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return 0;
}

/* Runs sql with the JSON text of rows as $1. */
static int rows_load(struct db_conn *db, const char *what, const char *sql, json_t *rows,
		     char *err, size_t errlen)
{
	char *text = json_dumps(rows, JSON_COMPACT);
	int rc;

	if (!text)
		return seed_error(db, LMS_ENOMEM, err, errlen, what);
	rc = db_execf(db, NULL, sql, "s", text);
	free(text);
	return rc < 0 ? seed_error(db, rc, err, errlen, what) : 0;
}

/* The rows of the JSON array $1 as x, numbered in x.ordinality so that ids
 * follow the order they were made in. */
#define JSON_ROWS(columns)                                                               \
	" FROM ROWS FROM (json_to_recordset($1::json) AS (" columns "))"                 \
	" WITH ORDINALITY AS x"

/* Course and institution of a JSON row, by their codes. */
#define ROW_COURSE                                                                       \
	" JOIN institutions i ON i.code = x.inst"                                        \
	" JOIN courses c ON c.institution_id = i.id AND c.code = x.code"

static const struct {
	const char *what, *sql;
} statements[] = {
	{"courses",
	 "INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, summary_ko,"
	 " summary_en, description, delivery, level, tags, published)"
	 " SELECT i.id, p.id, x.code, x.title_ko, x.title_en, x.summary_ko, x.summary_en,"
	 " x.description, x.delivery, x.level, x.tags, x.published"
	 JSON_ROWS("inst text, program text, code text, title_ko text, title_en text,"
		   " summary_ko text, summary_en text, description text, delivery text,"
		   " level text, tags text[], published boolean")
	 " JOIN institutions i ON i.code = x.inst JOIN programs p ON p.code = x.program"
	 /* Checked first too: a conflicting row still computes its search
	  * columns, most of the cost of a second run. */
	 " WHERE NOT EXISTS (SELECT 1 FROM courses e WHERE e.institution_id = i.id"
	 "  AND e.code = x.code)"
	 " ORDER BY x.ordinality ON CONFLICT (institution_id, code) DO NOTHING"},
	{"prerequisites",
	 "INSERT INTO course_prerequisites (course_id, prerequisite_id) SELECT c.id, pre.id"
	 JSON_ROWS("inst text, code text, pre text") ROW_COURSE
	 " JOIN courses pre ON pre.institution_id = i.id AND pre.code = x.pre"
	 " ON CONFLICT DO NOTHING"},
	/* Windows are dates in Korea: opening at 09:00, closing at 18:00. */
	{"sections",
	 "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	 " enrollment_opens_at, enrollment_closes_at, status)"
	 " SELECT c.id, x.term, x.starts_on, x.ends_on, x.capacity,"
	 " (CASE x.win WHEN 'demo' THEN d.today - 365 WHEN 'upcoming' THEN d.today + 14"
	 "  WHEN 'closed' THEN d.today - 60 ELSE d.today - 10 END + time '09:00')"
	 "  AT TIME ZONE 'Asia/Seoul',"
	 " (CASE x.win WHEN 'demo' THEN x.ends_on"
	 "  WHEN 'upcoming' THEN greatest(x.starts_on, d.today + 28) + 14"
	 "  WHEN 'closed' THEN d.today - 1 ELSE x.starts_on + 14 END + time '18:00')"
	 "  AT TIME ZONE 'Asia/Seoul',"
	 " x.status"
	 JSON_ROWS("inst text, code text, term text, starts_on date, ends_on date,"
		   " capacity integer, status text, win text") ROW_COURSE
	 " CROSS JOIN (SELECT (now() AT TIME ZONE 'Asia/Seoul')::date AS today) d"
	 " WHERE NOT EXISTS (SELECT 1 FROM sections s WHERE s.course_id = c.id"
	 "  AND s.term = x.term)"
	 " ORDER BY x.ordinality"},
	{"section instructors",
	 "INSERT INTO section_instructors (section_id, user_id) SELECT s.id, u.id"
	 JSON_ROWS("inst text, code text, term text, email text") ROW_COURSE
	 " JOIN LATERAL (SELECT min(id) AS id FROM sections WHERE course_id = c.id"
	 "  AND term = x.term) s ON s.id IS NOT NULL"
	 " JOIN users u ON lower(u.email) = lower(x.email)"
	 " ON CONFLICT DO NOTHING"},
	{"modules",
	 "INSERT INTO course_modules (course_id, position, title_ko, title_en)"
	 " SELECT c.id, x.pos, x.title_ko, x.title_en"
	 JSON_ROWS("inst text, code text, pos integer, title_ko text, title_en text") ROW_COURSE
	 " WHERE NOT EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = c.id"
	 "  AND m.position = x.pos)"
	 " ORDER BY x.ordinality"},
	{"lessons",
	 "INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md, url,"
	 " duration_min)"
	 " SELECT m.id, x.pos, x.title_ko, x.title_en, x.kind, x.body, x.url, x.minutes"
	 JSON_ROWS("inst text, code text, module integer, pos integer, title_ko text,"
		   " title_en text, kind text, body text, url text, minutes integer") ROW_COURSE
	 " JOIN LATERAL (SELECT min(id) AS id FROM course_modules WHERE course_id = c.id"
	 "  AND position = x.module) m ON m.id IS NOT NULL"
	 " WHERE NOT EXISTS (SELECT 1 FROM lessons l WHERE l.module_id = m.id"
	 "  AND l.position = x.pos)"
	 " ORDER BY x.ordinality"},
	{"facilities",
	 "INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity, location)"
	 " SELECT i.id, x.name_ko, x.name_en, x.kind, x.capacity, x.location"
	 JSON_ROWS("inst text, name_ko text, name_en text, kind text, capacity integer,"
		   " location text, lent_to text[]")
	 " JOIN institutions i ON i.code = x.inst"
	 " ORDER BY x.ordinality ON CONFLICT (institution_id, name_ko) DO NOTHING"},
	{"facility loans",
	 "INSERT INTO facility_loans (facility_id, institution_id) SELECT f.id, b.id"
	 JSON_ROWS("inst text, name_ko text, lent_to text[]")
	 " JOIN institutions i ON i.code = x.inst"
	 " JOIN facilities f ON f.institution_id = i.id AND f.name_ko = x.name_ko"
	 " CROSS JOIN LATERAL unnest(x.lent_to) AS l(code)"
	 " JOIN institutions b ON b.code = l.code"
	 " ON CONFLICT DO NOTHING"},
	/* A profile's home never changes: one that exists stays as it is. */
	{"instructor profiles",
	 "INSERT INTO instructors (user_id, home_institution_id, expertise, bio_ko, bio_en)"
	 " SELECT u.id, i.id, x.expertise, x.bio_ko, x.bio_en"
	 JSON_ROWS("email text, home text, expertise text[], bio_ko text, bio_en text,"
		   " shared_with text[]")
	 " JOIN users u ON lower(u.email) = lower(x.email) JOIN institutions i ON i.code = x.home"
	 " ORDER BY x.ordinality ON CONFLICT (user_id) DO NOTHING"},
	{"instructor shares",
	 "INSERT INTO instructor_shares (instructor_id, institution_id) SELECT n.user_id, p.id"
	 JSON_ROWS("email text, shared_with text[]")
	 " JOIN users u ON lower(u.email) = lower(x.email) JOIN instructors n ON n.user_id = u.id"
	 " CROSS JOIN LATERAL unnest(x.shared_with) AS s(code)"
	 " JOIN institutions p ON p.code = s.code AND p.id <> n.home_institution_id"
	 " ON CONFLICT DO NOTHING"},
	/* An output is known by its centre, year, kind and title. */
	{"kpi outputs",
	 "INSERT INTO kpi_outputs (institution_id, year, kind, title, doi, patent_number,"
	 " amount_krw, count) SELECT i.id, 2025, x.kind, x.title, x.doi, x.patent, x.amount,"
	 " x.count"
	 JSON_ROWS("inst text, kind text, title text, doi text, patent text, amount bigint,"
		   " count integer")
	 " JOIN institutions i ON i.code = x.inst"
	 " WHERE NOT EXISTS (SELECT 1 FROM kpi_outputs o WHERE o.institution_id = i.id"
	 "  AND o.year = 2025 AND o.kind = x.kind AND o.title = x.title)"
	 " ORDER BY x.ordinality ON CONFLICT DO NOTHING"},
};

/* Loads the programmes of programs (the array of programs.json). */
static int programs_load(struct db_conn *db, json_t *programs, char *err, size_t errlen)
{
	return rows_load(
		db, "programmes",
		"INSERT INTO programs AS p (code, name_ko, name_en, summary_ko, summary_en,"
		" allowed_stages, affiliation_required, approval_required, min_attendance_pct)"
		" SELECT x.code, x.name_ko, x.name_en, x.summary_ko, x.summary_en,"
		" x.stages::ladder_stage[], x.affiliation, x.approval, x.min_attendance"
		" FROM json_to_recordset($1::json) AS x(code text, name_ko text, name_en text,"
		"  summary_ko text, summary_en text, stages text[], affiliation boolean,"
		"  approval boolean, min_attendance integer)"
		" ON CONFLICT (code) DO UPDATE SET name_ko = EXCLUDED.name_ko,"
		" name_en = EXCLUDED.name_en, summary_ko = EXCLUDED.summary_ko,"
		" summary_en = EXCLUDED.summary_en, allowed_stages = EXCLUDED.allowed_stages,"
		" affiliation_required = EXCLUDED.affiliation_required,"
		" approval_required = EXCLUDED.approval_required,"
		" min_attendance_pct = EXCLUDED.min_attendance_pct"
		" WHERE (p.name_ko, p.name_en, p.summary_ko, p.summary_en, p.allowed_stages,"
		"  p.affiliation_required, p.approval_required, p.min_attendance_pct)"
		"  IS DISTINCT FROM (EXCLUDED.name_ko, EXCLUDED.name_en, EXCLUDED.summary_ko,"
		"  EXCLUDED.summary_en, EXCLUDED.allowed_stages, EXCLUDED.affiliation_required,"
		"  EXCLUDED.approval_required, EXCLUDED.min_attendance_pct)",
		programs, err, errlen);
}

int catalog_seed_programs_load(struct db_conn *db, const char *dir, char *err, size_t errlen)
{
	json_t *programs = NULL;
	int rc;

	if ((rc = seed_data_load(dir, "programs.json", &programs, err, errlen)) == 0)
		rc = programs_load(db, programs, err, errlen);
	json_decref(programs);
	return rc;
}

/* The instructor accounts the catalogue assigns, besides the demo one. */
static int staff_load(struct db_conn *db, const struct catalog_data *d, int iterations,
		      char *err, size_t errlen)
{
	bool created;
	int rc;

	for (size_t i = 0; i < d->nstaff; i++) {
		struct seed_role role = {ROLE_INSTRUCTOR, d->staff[i].institution};

		if (d->staff[i].name &&
		    (rc = seed_account(db, d->staff[i].email, d->staff[i].name, "worker",
				       SEED_DEMO_PASSWORD, iterations, &role, 1, "lms seed --demo",
				       &created, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

static void gen_release(struct gen *g)
{
	json_decref(g->courses);
	json_decref(g->prereqs);
	json_decref(g->sections);
	json_decref(g->teaching);
	json_decref(g->modules);
	json_decref(g->lessons);
	free(g->seen);
}

/* The rows of the courses, sections, teaching, modules and lessons of the
 * tracks of g->d in the two terms. Returns 0 or LMS_ENOMEM. */
static int gen_run(struct gen *g)
{
	g->courses = json_array();
	g->prereqs = json_array();
	g->sections = json_array();
	g->teaching = json_array();
	g->modules = json_array();
	g->lessons = json_array();
	g->seen = calloc(g->d->nstaff + 1, sizeof(*g->seen));
	g->oom = !g->courses || !g->prereqs || !g->sections || !g->teaching || !g->modules ||
		 !g->lessons || !g->seen;
	for (size_t i = 0; !g->oom && i < g->d->ntracks; i++)
		track_emit(g, &g->d->tracks[i]);
	return g->oom ? LMS_ENOMEM : 0;
}

/* Loads the generated rows and the data files' rows, one statement each, in
 * the caller's transaction. */
static int rows_load_all(struct db_conn *db, const struct gen *g, const struct catalog_data *d,
			 char *err, size_t errlen)
{
	json_t *rows[] = {g->courses, g->prereqs,   g->sections, g->teaching,
			  g->modules, g->lessons,   d->facilities, d->facilities,
			  d->profiles, d->profiles, d->kpi};
	int rc;

	_Static_assert(COUNT(rows) == COUNT(statements), "a row set per statement");
	if ((rc = programs_load(db, d->programs_json, err, errlen)) < 0)
		return rc;
	for (size_t i = 0; i < COUNT(statements); i++)
		if ((rc = rows_load(db, statements[i].what, statements[i].sql, rows[i], err,
				    errlen)) < 0)
			return rc;
	return 0;
}

int catalog_seed_demo_load(struct db_conn *db, const char *dir, int iterations, char *err,
			   size_t errlen)
{
	struct catalog_data d = {0};
	struct term terms[2];
	struct gen g = {.terms = terms, .d = &d};
	bool begun = false;
	int rc;

	if ((rc = catalog_data_load(&d, dir, err, errlen)) < 0 ||
	    (rc = staff_load(db, &d, iterations, err, errlen)) < 0 ||
	    (rc = next_terms(db, terms, err, errlen)) < 0)
		goto out;
	if ((rc = gen_run(&g)) < 0) {
		rc = seed_error(db, rc, err, errlen, "catalogue");
		goto out;
	}
	if ((rc = db_begin(db)) < 0) {
		rc = seed_error(db, rc, err, errlen, "begin");
		goto out;
	}
	begun = true;
	/* Sections have no unique key to conflict on: two seeds at once must
	 * not both find a term missing. */
	if ((rc = db_exec(db, NULL, "SELECT pg_advisory_xact_lock(hashtext('lms seed'))", 0,
			  NULL)) < 0) {
		rc = seed_error(db, rc, err, errlen, "lock");
		goto out;
	}
	if ((rc = rows_load_all(db, &g, &d, err, errlen)) < 0)
		goto out;
	if ((rc = db_commit(db)) < 0)
		rc = seed_error(db, rc, err, errlen, "commit");
out:
	if (rc < 0 && begun)
		db_rollback(db);
	gen_release(&g);
	catalog_data_release(&d);
	return rc;
}

int catalog_seed_bench_load(struct db_conn *db, long n, long *created, char *term,
			    size_t termlen, char *err, size_t errlen)
{
	struct term terms[2];
	PGresult *res = NULL;
	int rc;

	*created = 0;
	if (n < 1 || n > CATALOG_SEED_BENCH_MAX) {
		snprintf(err, errlen, "bench: the course count must be 1 to %ld",
			 CATALOG_SEED_BENCH_MAX);
		return LMS_EINVAL;
	}
	if ((rc = next_terms(db, terms, err, errlen)) < 0)
		return rc;
	snprintf(term, termlen, "%s", terms[0].name);
	/* One statement: the courses, then a section for each course made. */
	rc = db_execf(
		db, &res,
		"WITH p AS (SELECT array_agg(id ORDER BY id) AS ids FROM programs),"
		" i AS (SELECT array_agg(id ORDER BY id) AS ids FROM institutions),"
		" w AS (SELECT ARRAY['인공지능', '데이터', '로봇', '코딩', '딥러닝', '머신러닝',"
		"  '교육', '컴퓨터 비전'] AS ko, ARRAY['AI', 'Data', 'Robotics', 'Coding',"
		"  'Deep Learning', 'Machine Learning', 'Education', 'Computer Vision'] AS en),"
		" g AS (SELECT n, 'BENCH-' || lpad(n::text, greatest(6, length(n::text)), '0')"
		"  AS code"
		"  FROM generate_series(1, $1::int) n),"
		" c AS (INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
		"  summary_ko, summary_en, delivery, level, tags, published)"
		"  SELECT i.ids[1 + g.n % cardinality(i.ids)], p.ids[1 + g.n % cardinality(p.ids)],"
		"  g.code, '벤치마크 ' || w.ko[1 + g.n % 8] || ' 과정 ' || right(g.code, 6),"
		"  'Benchmark ' || w.en[1 + g.n % 8] || ' Course ' || right(g.code, 6),"
		"  '성능 측정용 합성 과정입니다.', 'A synthetic course for benchmarks.',"
		"  (ARRAY['online', 'offline', 'blended'])[1 + g.n % 3],"
		"  (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g.n / 3 % 3],"
		"  ARRAY['bench', w.ko[1 + g.n % 8]], true"
		"  FROM g, p, i, w WHERE NOT EXISTS (SELECT 1 FROM courses x WHERE x.code = g.code)"
		"  ON CONFLICT (institution_id, code) DO NOTHING RETURNING id, code),"
		" s AS (INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
		"  enrollment_opens_at, enrollment_closes_at, status)"
		"  SELECT c.id, $2, $3::date, $4::date, 20 + right(c.code, 6)::int % 21,"
		"  ((now() AT TIME ZONE 'Asia/Seoul')::date - 7 + time '09:00')"
		"   AT TIME ZONE 'Asia/Seoul',"
		"  ($3::date + 14 + time '18:00') AT TIME ZONE 'Asia/Seoul', 'open' FROM c"
		"  RETURNING 1)"
		" SELECT count(*) FROM s",
		"lsss", (long long)n, terms[0].name, terms[0].starts_on, terms[0].ends_on);
	if (rc < 0)
		return seed_error(db, rc, err, errlen, "bench");
	*created = (long)db_ll(res, 0, 0);
	PQclear(res);
	/* Plans of the next queries should know the catalogue grew, without
	 * waiting for autovacuum to notice. */
	if ((rc = db_exec(db, NULL, "ANALYZE courses, sections", 0, NULL)) < 0)
		return seed_error(db, rc, err, errlen, "bench");
	return 0;
}
