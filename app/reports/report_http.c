/* report_http.c - handler: the enrolment report, streamed as CSV or JSON lines */
#include "lms/reports/report_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/pool.h"
#include "lms/db/sql.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"
#include "lms/reports/report_store.h"
#include "lms/service/time_window.h"
#include "lms/service/audit.h"
#include "lms/service/pull.h"

/* Rows gathered before they go out as one chunk: large enough that chunk
 * framing and TLS records cost next to nothing, small enough that memory
 * stays flat whatever the row count. */
#define CHUNK_BYTES (64 * 1024)

#define NDJSON_TYPE "application/x-ndjson"

static const char *const programs[] = {
	"ai_academy", "ai_do_dream", "corporate_university", "science_academy", "university_track",
	"graduate_school", "online", "startup_support", "regional_center", NULL};
static const char *const statuses[] = {"pending", "enrolled", "waitlisted", "rejected",
				       "cancelled", "completed", "incomplete", NULL};
static const char *const stages[] = {"preschool", "elementary", "middle", "high",
				     "undergraduate", "graduate", "worker", "job_seeker",
				     "public_servant", "general", NULL};

/* The text filters and the rules of their values. */
static const struct schema_field text_rules[] = {
	{"program", SCHEMA_STRING, .values = programs},
	{"status", SCHEMA_STRING, .values = statuses},
	{"stage", SCHEMA_STRING, .values = stages},
};

#define NTEXT (sizeof(text_rules) / sizeof(text_rules[0]))

const char *const report_text_filter_names[REPORT_TEXT_FILTERS] = {"program", "status", "stage"};

const char *report_text_filter(struct http_req *req, const char *name, char *buf, size_t len,
			       json_t **errors)
{
	char msg[160] = "is not valid";
	const char *out = NULL;
	json_t *v;
	int n;

	for (size_t i = 0; i < NTEXT; i++) {
		if (strcmp(text_rules[i].name, name) != 0)
			continue;
		if ((n = http_req_query(req, name, buf, len)) == -1)
			return NULL;
		v = json_string(n >= 0 ? buf : "");
		if (v && schema_value_ok(&text_rules[i], v, msg, sizeof(msg)))
			out = buf;
		else
			http_json_error_add(errors, name, msg);
		json_decref(v);
		return out;
	}
	return NULL;
}

static const char *const known_params[] = {
	"institution_id", "program", "course_id", "section_id", "status", "stage", "from",
	"to", "format", "bom", "header", NULL};

/* ?header=ko: the CSV for people who open it in a spreadsheet: the header
 * row in Korean and the codes of status and ladder_stage as the words the
 * pages use. Other columns keep their names; the values are the same. */
static const struct {
	const char *name, *ko;
} column_ko[] = {
	{"enrollment_id", "신청 번호"}, {"status", "상태"}, {"created_at", "신청 일시"},
	{"updated_at", "변경 일시"}, {"waitlist_position", "대기 순번"}, {"user_id", "회원 번호"},
	{"display_name", "이름"}, {"email", "이메일"}, {"ladder_stage", "대상 단계"},
	{"affiliation_institution_code", "소속 기관 코드"}, {"institution_code", "기관 코드"},
	{"institution_name_ko", "기관명"}, {"program_code", "프로그램 코드"},
	{"course_id", "과목 번호"}, {"course_code", "과목 코드"}, {"course_title_ko", "과목명"},
	{"course_title_en", "영문 과목명"}, {"section_id", "분반 번호"}, {"term", "학기"},
	{"starts_on", "시작일"}, {"ends_on", "종료일"}, {"lessons_completed", "완료한 차시"},
	{"lessons_total", "전체 차시"},
};

static const struct {
	const char *code, *ko;
} words_ko[] = {
	{"pending", "승인 대기"}, {"enrolled", "수강 중"}, {"waitlisted", "대기자"},
	{"rejected", "반려"}, {"cancelled", "취소"}, {"completed", "수료"},
	{"incomplete", "미수료"}, {"preschool", "유아"}, {"elementary", "초등학생"},
	{"middle", "중학생"}, {"high", "고등학생"}, {"undergraduate", "대학생"},
	{"graduate", "대학원생"}, {"worker", "재직자"}, {"job_seeker", "구직자"},
	{"public_servant", "공무원"}, {"general", "일반 시민"},
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *column_name_ko(const char *name)
{
	for (size_t i = 0; i < NELEMS(column_ko); i++)
		if (strcmp(column_ko[i].name, name) == 0)
			return column_ko[i].ko;
	return name;
}

/* The word for the code v (len bytes) of a status or ladder_stage column,
 * or NULL for a value that has none. */
static const char *word_ko(const char *v, size_t len)
{
	for (size_t i = 0; i < NELEMS(words_ko); i++)
		if (strlen(words_ko[i].code) == len && memcmp(words_ko[i].code, v, len) == 0)
			return words_ko[i].ko;
	return NULL;
}

/* A request's filters, with room for the texts they point to. */
struct report_query {
	struct report_filter f;
	long long named;       /* ?institution_id as sent, 0 when absent */
	char text[NTEXT][32];  /* program, status, stage as sent */
	char from[64], to[64]; /* as sent */
};

/* Reads the filters into *q, with the window w read already; the
 * institution only as named (q->named), for the guard settles it. Replies
 * 400 naming each bad one and returns false. */
static bool filters_or_reply(struct http_req *req, const struct time_window *w,
			     struct report_query *q)
{
	struct report_filter *f = &q->f;
	const char **texts[NTEXT] = {&f->program, &f->status, &f->stage};
	json_t *errors = NULL;
	char msg[160] = "is not valid";

	memset(q, 0, sizeof(*q));
	if (!http_req_query_id_or_reply(req, "institution_id", &q->named) ||
	    !http_req_query_id_or_reply(req, "course_id", &f->course_id) ||
	    !http_req_query_id_or_reply(req, "section_id", &f->section_id))
		return false;
	for (size_t i = 0; i < NTEXT; i++) {
		int n = http_req_query(req, text_rules[i].name, q->text[i], sizeof(q->text[i]));
		json_t *v;

		if (n == -1)
			continue;
		v = json_string(n >= 0 ? q->text[i] : "");
		if (v && schema_value_ok(&text_rules[i], v, msg, sizeof(msg)))
			*texts[i] = q->text[i];
		else
			http_json_error_add(&errors, text_rules[i].name, msg);
		json_decref(v);
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the report's parameters are not valid");
		return false;
	}
	f->has_from = w->has_from;
	f->has_to = w->has_to;
	f->from_us = w->from_us;
	f->to_us = w->to_us;
	/* The window's ends as sent, for the audit row. */
	if (f->has_from)
		http_req_query(req, "from", q->from, sizeof(q->from));
	if (f->has_to)
		http_req_query(req, "to", q->to, sizeof(q->to));
	return true;
}

/* What the audit row says of a pull (new): the format, the filters as
 * sent, the rows that went out and whether all of them did. */
static json_t *pull_detail(const struct report_query *q, bool csv, long long rows,
			   bool complete)
{
	const struct report_filter *f = &q->f;

	return json_pack("{s:s, s:{s:o*, s:s*, s:o*, s:o*, s:s*, s:s*, s:s*, s:s*}, s:I, s:b}",
			 "format", csv ? "csv" : "ndjson", "filters", "institution_id",
			 q->named ? json_integer(q->named) : NULL, "program", f->program,
			 "course_id", f->course_id ? json_integer(f->course_id) : NULL,
			 "section_id", f->section_id ? json_integer(f->section_id) : NULL,
			 "status", f->status, "stage", f->stage, "from",
			 f->has_from ? q->from : NULL, "to", f->has_to ? q->to : NULL, "rows",
			 (json_int_t)rows, "complete", complete);
}

/* Rows on their way out: gathered, then sent a chunk at a time. */
struct report_out {
	struct http_stream body; /* chunked */
	bool csv;
	bool ko;              /* ?header=ko: Korean header row, codes as words */
	unsigned long long worded; /* bit c: column c holds a code written as a word */
	struct csv_writer w;  /* CSV text */
	char *lines;          /* JSON lines */
	size_t used, cap;
	long long rows;       /* rows that went out */
	long long held;       /* rows gathered, not sent yet */
};

/* Sends what was gathered as one chunk; LMS_EIO when the client is gone. */
static int flush(struct report_out *o)
{
	int rc = o->csv ? http_stream_write(&o->body, o->w.data, o->w.len)
			: http_stream_write(&o->body, o->lines, o->used);

	if (rc < 0)
		return rc;
	csv_writer_clear(&o->w);
	o->used = 0;
	o->rows += o->held;
	o->held = 0;
	return 0;
}

/* Gathers the current row of s: its cells as a CSV row, or its one
 * column as a JSON line. */
static int row_add(struct report_out *o, const struct db_stream *s, int ncols)
{
	size_t len;
	const char *v;
	int rc;

	if (o->csv) {
		for (int c = 0; c < ncols; c++) {
			const char *word;

			v = db_stream_value(s, c, &len);
			if (c < 64 && (o->worded >> c & 1) && (word = word_ko(v, len)))
				csv_cell_write_str(&o->w, word);
			else
				csv_cell_write(&o->w, v, len);
		}
		if ((rc = csv_row_end(&o->w)) < 0)
			return rc;
		o->held++;
		return o->w.len >= CHUNK_BYTES ? flush(o) : 0;
	}
	v = db_stream_value(s, 0, &len);
	/* Less than a chunk is held before a line: room for a chunk and the
	 * longest line yet. */
	if (len + 1 > o->cap - o->used) {
		char *grown = realloc(o->lines, CHUNK_BYTES + len + 1);

		if (!grown)
			return LMS_ENOMEM;
		o->lines = grown;
		o->cap = CHUNK_BYTES + len + 1;
	}
	memcpy(o->lines + o->used, v, len);
	o->lines[o->used + len] = '\n';
	o->used += len + 1;
	o->held++;
	return o->used >= CHUNK_BYTES ? flush(o) : 0;
}

/*
 * Sends the rows of s as PostgreSQL hands them over. Returns 0 when every
 * row went out, LMS_EIO when the client went away, or the error of the
 * query or of memory; o->rows counts the rows sent.
 */
static int rows_send(struct report_out *o, struct db_stream *s, bool bom)
{
	int ncols = db_stream_columns(s), rc;

	if ((rc = csv_writer_init(&o->w, o->csv && bom)) < 0)
		return rc;
	if (o->csv) {
		for (int c = 0; c < ncols; c++) {
			const char *name = db_stream_column_name(s, c);

			if (o->ko && c < 64 &&
			    (strcmp(name, "status") == 0 || strcmp(name, "ladder_stage") == 0))
				o->worded |= 1ULL << c;
			csv_cell_write_str(&o->w, o->ko ? column_name_ko(name) : name);
		}
		if ((rc = csv_row_end(&o->w)) < 0)
			return rc;
	}
	while ((rc = db_stream_next(s)) == 1)
		if ((rc = row_add(o, s, ncols)) < 0)
			return rc;
	return rc < 0 ? rc : flush(o);
}

/* ?header: "ko" (Korean header row and words) or "codes" (the default). */
static bool header_or_reply(struct http_req *req, bool *ko)
{
	char v[8];
	int n = http_req_query(req, "header", v, sizeof(v));
	json_t *errors = NULL;

	*ko = n > 0 && strcmp(v, "ko") == 0;
	if (n == -1 || *ko || (n > 0 && strcmp(v, "codes") == 0))
		return true;
	http_json_error_add(&errors, "header", "must be ko or codes");
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the format parameters are not valid");
	return false;
}

void report_enrollments(struct http_req *req)
{
	struct report_query q;
	struct report_out o = {0};
	struct db_stream s = {0};
	struct db_conn *db;
	struct time_window w;
	json_t *detail = NULL;
	long long inst;
	bool bom;
	int rc;

	if (!pull_params_or_reply(req, known_params) || !time_window_or_reply(req, &w) ||
	    !filters_or_reply(req, &w, &q) || !csv_wanted_or_reply(req, "ndjson", &o.csv, &bom) ||
	    !header_or_reply(req, &o.ko) ||
	    !guard_scope_or_reply(req, GUARD_REPORTS_READ, &inst) ||
	    !(db = http_req_read_db_or_reply(req)))
		goto out;
	/* The guard decided the institution; the query is bound to it. */
	q.f.institution_id = inst;
	if (strcmp(req->method, "HEAD") == 0) {
		http_reply_start(req, 200, o.csv ? CSV_CONTENT_TYPE : NDJSON_TYPE, -1,
				 "Vary: Accept\r\n");
		goto out;
	}
	/* A query that fails at once is still answered with a problem. */
	if ((rc = report_store_enrollments(&s, db, &q.f,
					   o.csv ? REPORT_COLUMNS : REPORT_JSON_LINES)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	http_stream_begin(&o.body, req, 200, o.csv ? CSV_CONTENT_TYPE : NDJSON_TYPE, -1,
			  o.csv ? "Content-Disposition: attachment; filename=\"enrollments.csv\""
				  "\r\nVary: Accept\r\n"
				: "Vary: Accept\r\n");
	rc = rows_send(&o, &s, bom);
	if (rc == LMS_EIO)
		log_info("report: the client left after %lld rows of enrollments", o.rows);
	else if (rc < 0)
		log_error("report: enrollments stopped after %lld rows: %s", o.rows,
			  rc == LMS_ENOMEM ? lms_strerror(rc) : db->errmsg);
	db_stream_end(&s);
	/* A connection that died under the report cannot take its audit row:
	 * the pool replaces it, and the row goes through another one. */
	if (rc == LMS_EUNAVAILABLE) {
		http_req_db_release(req);
	}

	/* Recorded before the last chunk, so that a client that has the whole
	 * report finds its row in the trail. The rows have left already: a
	 * row that cannot be written is logged (audit_store_insert does), not
	 * answered. */
	if ((detail = pull_detail(&q, o.csv, o.rows, rc == 0)))
		audit_record(req, &(struct audit_event){.action = "report.enrollments",
							.institution_id = inst,
							.detail = detail});
	else
		log_error("report: enrollments: %lld rows sent without an audit row", o.rows);
	/* Cut short: without the last chunk the client knows the report is
	 * incomplete, once the connection closes. */
	if (rc == 0)
		http_stream_end(&o.body);
	else
		http_stream_abort(&o.body);
out:
	db_stream_end(&s);
	csv_writer_release(&o.w);
	free(o.lines);
	json_decref(detail);
}
