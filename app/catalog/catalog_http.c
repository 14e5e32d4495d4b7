/* catalog_http.c - handlers: the public catalogue */
#include "lms/catalog/catalog_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/account.h"
#include "lms/auth/guard.h"
#include "lms/catalog/catalog_store.h"
#include "lms/core/err.h"
#include "lms/core/text.h"
#include "lms/http/cache.h"
#include "lms/http/request.h"
#include "lms/http/server.h"
#include "lms/http/response.h"

/* Catalogue answers may be kept, but must be checked again (ETag) and
 * differ by language. */
#define CATALOG_HEADERS "Cache-Control: no-cache\r\nVary: Accept-Language\r\n"
/* A list with drafts is for the caller alone, and not to be stored. */
#define MANAGED_HEADERS "Cache-Control: private, no-store\r\n"

static const char *const program_codes[] = {
	"ai_academy", "ai_do_dream", "corporate_university", "science_academy",
	"university_track", "graduate_school", "online", "startup_support", "regional_center",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* Search words: q split on spaces into LIKE patterns (escaped, so % and _
 * match themselves) gathered in an array literal, the patterns of the words
 * of three characters or more one by one for the trigram index, and the
 * two-character words in an array literal for the bigram index. q is at
 * most 200 bytes: each byte takes four at most in a literal ("\\\\" for a
 * backslash), two in a pattern. */
struct search {
	char patterns[CATALOG_QUERY_TERMS * 8 + 200 * 4 + 3];
	char words[CATALOG_QUERY_TERMS][200 * 2 + 3];
	char bigrams[CATALOG_QUERY_TERMS * 12 + 3];
	size_t plen, blen;
	int nterms;
};

/* Appends c to the array literal buf at *len, escaped for it. */
static void literal_put(char *buf, size_t *len, char c)
{
	if (c == '"' || c == '\\')
		buf[(*len)++] = '\\';
	buf[(*len)++] = c;
}

/* Adds the word p[0..len) to s. */
static void search_add(struct search *s, const char *p, size_t len)
{
	size_t chars = text_utf8_chars_n(p, len), o = 0;
	char *pat = s->words[s->nterms - 1];

	if (chars >= 3) {
		pat[o++] = '%';
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
				pat[o++] = '\\';
			pat[o++] = p[i];
		}
		pat[o++] = '%';
		pat[o] = '\0';
	}
	s->patterns[s->plen] = s->plen ? ',' : '{';
	s->plen++;
	memcpy(s->patterns + s->plen, "\"%", 2);
	s->plen += 2;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
			literal_put(s->patterns, &s->plen, '\\');
		literal_put(s->patterns, &s->plen, p[i]);
	}
	memcpy(s->patterns + s->plen, "%\"", 2);
	s->plen += 2;
	/* Two characters: too short for a trigram, found by bigram. */
	if (chars == 2) {
		s->bigrams[s->blen] = s->blen ? ',' : '{';
		s->blen++;
		s->bigrams[s->blen++] = '"';
		for (size_t i = 0; i < len; i++)
			literal_put(s->bigrams, &s->blen, p[i]);
		s->bigrams[s->blen++] = '"';
	}
}

/* Splits q (at most 200 bytes) into s; false when it has too many words. */
static bool search_parse(const char *q, struct search *s)
{
	memset(s, 0, sizeof(*s));
	for (const char *p = q; *p;) {
		size_t len;

		p += strspn(p, " \t");
		if (!*p)
			break;
		if (s->nterms++ == CATALOG_QUERY_TERMS)
			return false;
		len = strcspn(p, " \t");
		search_add(s, p, len);
		p += len;
	}
	if (s->plen)
		strcpy(s->patterns + s->plen, "}");
	if (s->blen)
		strcpy(s->bigrams + s->blen, "}");
	return true;
}

/* A catalogue answer depends on the path, the query and the language
 * only: the key of the response cache (empty when too long to keep). */
struct cached {
	char key[1024];
	uint64_t generation;  /* of the data the answer is made of */
	bool filling;         /* this request makes it for those waiting: cached_end */
};

/* Answers from the response cache when it holds a fresh body, or one that
 * a request making it at the same time puts there (single flight: of many
 * simultaneous misses of one page, one runs its query); otherwise
 * prepares c for reply_catalog, after which cached_end must be called. */
static bool reply_from_cache(struct http_req *req, struct cached *c)
{
	char *body = NULL;
	size_t len;
	int n = snprintf(c->key, sizeof(c->key), "%s?%s|%s", req->path,
			 req->query ? req->query : "", http_req_lang(req));

	if (n < 0 || (size_t)n >= sizeof(c->key))
		c->key[0] = '\0';
	c->filling = false;
	if (!c->key[0]) {
		c->generation = http_cache_generation(req->app->cache);
		return false;
	}
	switch (http_cache_lookup(req->app->cache, c->key, &body, &len)) {
	case HTTP_CACHE_HIT:
		http_reply_json_etag(req, body, len, CATALOG_HEADERS);
		free(body);
		return true;
	case HTTP_CACHE_FILL:
		c->filling = true;
		break;
	case HTTP_CACHE_MISS:
		break;
	}
	/* Taken after the lookup: a body made after a wait for a fill that
	 * ended without one is made of data no older than this. */
	c->generation = http_cache_generation(req->app->cache);
	return false;
}

/* Ends what reply_from_cache began: when this request was making the
 * body for others, they now answer from it (or, if it was not kept, one
 * of them makes it). */
static void cached_end(struct http_req *req, struct cached *c)
{
	if (c->filling)
		http_cache_fill_end(req->app->cache, c->key);
	c->filling = false;
}

/* Replies with the JSON of body (stolen) under an ETag, and keeps it when c
 * is given (and ends its fill). */
static void reply_catalog(struct http_req *req, json_t *body, const char *headers,
			  struct cached *c)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	if (text) {
		if (c && c->key[0])
			http_cache_put(req->app->cache, c->key, text, strlen(text), c->generation);
		/* Those waiting need not wait for this reply to be written. */
		if (c)
			cached_end(req, c);
		http_reply_json_etag(req, text, strlen(text), headers);
	} else {
		http_reply_error(req, LMS_ENOMEM);
	}
	free(text);
	json_decref(body);
}

void catalog_courses(struct http_req *req)
{
	struct catalog_filter f = {0};
	char program[32], delivery[16], stage[24], open[8], q[201], unpublished[8];
	json_t *errors = NULL, *page = NULL, *body;
	struct search search;
	struct cached cached = {0};
	struct db_conn *db;
	bool shared;
	int rc;

	/* Drafts are shown to their managers only: an answer with them is
	 * neither served from nor kept in the cache all callers share. */
	rc = http_req_query(req, "include_unpublished", unpublished, sizeof(unpublished));
	f.include_unpublished = rc >= 0 && !strcmp(unpublished, "true");
	shared = rc == -1 || (rc >= 0 && !strcmp(unpublished, "false"));
	if (shared && reply_from_cache(req, &cached))
		return;
	/* From here on, every way out passes cached_end. */
	if (!http_req_query_id_or_reply(req, "institution_id", &f.institution_id) ||
	    !http_req_page_or_reply(req, &f.limit, &f.after_id))
		goto out;
	if (!shared && !f.include_unpublished)
		http_json_error_add(&errors, "include_unpublished", "must be true or false");
	if (f.include_unpublished && !f.institution_id)
		http_json_error_add(&errors, "institution_id",
				    "is required with include_unpublished=true");
	if (http_req_query(req, "program", program, sizeof(program)) != -1) {
		if (!in_list(program, program_codes, sizeof(program_codes) / sizeof(program_codes[0])))
			http_json_error_add(&errors, "program", "is not a programme code");
		f.program = program;
	}
	if (http_req_query(req, "delivery", delivery, sizeof(delivery)) != -1) {
		if (strcmp(delivery, "online") && strcmp(delivery, "offline") &&
		    strcmp(delivery, "blended"))
			http_json_error_add(&errors, "delivery", "must be online, offline or blended");
		f.delivery = delivery;
	}
	if (http_req_query(req, "stage", stage, sizeof(stage)) != -1) {
		if (!account_stage_valid(stage))
			http_json_error_add(&errors, "stage", "is not a ladder stage");
		f.stage = stage;
	}
	if (http_req_query(req, "open", open, sizeof(open)) != -1) {
		if (strcmp(open, "true") && strcmp(open, "false") && strcmp(open, "1") &&
		    strcmp(open, "0"))
			http_json_error_add(&errors, "open", "must be true or false");
		f.open = !strcmp(open, "true") || !strcmp(open, "1");
	}
	rc = http_req_query(req, "q", q, sizeof(q));
	if (rc == -2)
		http_json_error_add(&errors, "q", "must be at most 200 bytes of text");
	else if (rc >= 0 && !search_parse(q, &search))
		http_json_error_add(&errors, "q", "must have at most 16 words");
	else if (rc >= 0) {
		f.patterns = search.patterns[0] ? search.patterns : NULL;
		for (int i = 0; i < search.nterms; i++)
			f.words[i] = search.words[i][0] ? search.words[i] : NULL;
		f.bigrams = search.bigrams[0] ? search.bigrams : NULL;
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the catalogue query has invalid parameters");
		goto out;
	}
	if (f.include_unpublished &&
	    !guard_require_or_reply(req, GUARD_CATALOG_MANAGE, f.institution_id))
		goto out;
	f.lang = http_req_lang(req);
	if (!(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = catalog_store_courses(db, &f, &page)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	body = http_page_body_at(json_object_get(page, "items"),
				 json_integer_value(json_object_get(page, "last")), f.limit);
	/* How many match, for "N courses": on the first page only, where it
	 * is every match (a later page would count from its cursor on). */
	if (body && !f.after_id)
		json_object_set(body, "total", json_object_get(page, "total"));
	reply_catalog(req, body, shared ? CATALOG_HEADERS : MANAGED_HEADERS,
		      shared ? &cached : NULL);
out:
	cached_end(req, &cached);
	json_decref(page);
}

void catalog_course(struct http_req *req)
{
	long long id, inst;
	bool published, manager, replied;
	json_t *course = NULL;
	struct db_conn *db;
	int rc;

	/* Not cached: seats change with every enrolment, and those changes
	 * are not announced (see migrations/0003). */
	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = catalog_store_course_owner(db, id, &inst, &published)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	/* Those who manage the course also see it unpublished, with its draft
	 * sections; nobody else learns that it exists. */
	manager = guard_allows(req, GUARD_CATALOG_MANAGE, inst, &replied);
	if (replied)
		return;
	if (!published && !manager) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	}
	if ((rc = catalog_store_course(db, id, http_req_lang(req), manager, &course)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	reply_catalog(req, course,
		      manager ? "Cache-Control: private, no-cache\r\nVary: Accept-Language, Cookie, "
				"Authorization\r\n"
			      : CATALOG_HEADERS,
		      NULL);
}

typedef int (*reference_list)(struct db_conn *db, long long after_id, int limit,
			      const char *lang, json_t **items);

static void reference(struct http_req *req, reference_list list)
{
	json_t *items = NULL;
	long long after;
	struct cached cached = {0};
	struct db_conn *db;
	int limit, rc;

	if (reply_from_cache(req, &cached))
		return;
	if (!http_req_page_or_reply(req, &limit, &after) || !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = list(db, after, limit, http_req_lang(req), &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	reply_catalog(req, http_page_body(items, limit), CATALOG_HEADERS, &cached);
out:
	cached_end(req, &cached);
	json_decref(items);
}

void catalog_institutions(struct http_req *req) { reference(req, catalog_store_institutions); }
void catalog_programs(struct http_req *req) { reference(req, catalog_store_programs); }
