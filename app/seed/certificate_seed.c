/* certificate_seed.c - demo completions with certificates of completion */
#include "lms/seed/certificate_seed.h"

#include <stdio.h>
#include <stdlib.h>

#include "lms/core/err.h"

/*
 * One statement: the accounts (with the demo learner's password hash, so
 * they sign in with the demo password), the finished sections, their
 * sessions and attendance, then the completions, which issue the
 * certificates through the database's own trigger as any completion does,
 * and one completion taken back, which revokes its certificate.
 */
static const char demo_head[] =
	"DO $demo$\n"
	"DECLARE\n"
	"  hash text;\n"
	"  admin bigint;\n"
	"  teacher bigint;\n"
	"  course record;\n"
	"  sec bigint;\n"
	"  n integer := 0;\n"
	"BEGIN\n"
	"  IF EXISTS (SELECT 1 FROM certificates c JOIN users u ON u.id = c.user_id\n"
	"      WHERE u.email = 'graduate1@example.com') THEN\n"
	"    RETURN;\n"
	"  END IF;\n"
	"  SELECT password_hash INTO hash FROM users WHERE email = 'learner@example.com';\n"
	"  SELECT id INTO admin FROM users WHERE email = 'admin@example.com';\n"
	"  SELECT user_id INTO teacher FROM instructors i JOIN users u ON u.id = i.user_id\n"
	"    WHERE u.email = 'instructor@example.com';\n"
	"  IF hash IS NULL OR admin IS NULL OR teacher IS NULL THEN\n"
	"    RAISE EXCEPTION 'load the demo data first: lms seed --demo';\n"
	"  END IF;\n"
	"  INSERT INTO users (email, password_hash, display_name, ladder_stage,\n"
	"      email_verified_at)\n"
	"    SELECT v.email, hash, v.name, v.stage::ladder_stage, now() FROM (VALUES\n"
	"      ('graduate1@example.com', '김수료', 'job_seeker'),\n"
	"      ('graduate2@example.com', '박하늘', 'job_seeker'),\n"
	"      ('graduate3@example.com', '이재직', 'worker'),\n"
	"      ('graduate4@example.com', '최연구', 'worker')) v(email, name, stage)\n"
	"    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = v.email);\n"
	"  INSERT INTO user_roles (user_id, role)\n"
	"    SELECT u.id, 'learner' FROM users u WHERE u.email LIKE 'graduate_@example.com'\n"
	"      AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id\n"
	"        AND r.role = 'learner');\n"
	"  INSERT INTO certificate_issuers (institution_id, signatory_title_ko, signatory_title_en)\n"
	"    SELECT id, '전남대학교 총장', 'President, Chonnam National University'\n"
	"    FROM institutions WHERE code = 'jnu' ON CONFLICT (institution_id) DO NOTHING;\n"
	"  PERFORM set_config('lms.actor_user_id', admin::text, true);\n";

/* The rest of the block (C99 promises string literals of 4095 bytes). */
static const char demo_tail[] =
	"  FOR course IN\n"
	"    (SELECT c.id, p.code AS program FROM courses c JOIN programs p ON p.id = c.program_id\n"
	"      WHERE p.code = 'ai_academy' AND c.published ORDER BY c.id LIMIT 1)\n"
	"    UNION ALL\n"
	"    (SELECT c.id, p.code FROM courses c JOIN programs p ON p.id = c.program_id\n"
	"      JOIN institutions i ON i.id = c.institution_id\n"
	"      WHERE p.code = 'regional_center' AND i.code = 'jnu' AND c.published\n"
	"      ORDER BY c.id LIMIT 1)\n"
	"  LOOP\n"
	"    n := n + 1;\n"
	"    -- Finished three weeks ago, after eight weekly sessions.\n"
	"    INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,\n"
	"        enrollment_opens_at, enrollment_closes_at, status)\n"
	"      SELECT course.id, to_char(d.starts, 'YYYY') || '-1', d.starts, d.starts + 52, 30,\n"
	"        d.starts - 40, d.starts - 5, 'closed'\n"
	"      FROM (SELECT current_date - 73 AS starts) d\n"
	"      RETURNING id INTO sec;\n"
	"    INSERT INTO section_instructors VALUES (sec, teacher);\n"
	"    -- Minutes past the hour no other demo session uses.\n"
	"    INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, online_url)\n"
	"      SELECT sec, t, t + interval '3 hours', teacher,\n"
	"        'https://meet.example.com/demo-certificates'\n"
	"      FROM (SELECT ((current_date - 73 + 7 * k) + time '01:07' + n * interval '3 hours 11 minutes')\n"
	"        AT TIME ZONE 'UTC' AS t FROM generate_series(0, 7) k) s;\n"
	"    INSERT INTO enrollments (user_id, section_id, status)\n"
	"      SELECT u.id, sec, 'enrolled' FROM users u\n"
	"      WHERE u.email = ANY (CASE WHEN course.program = 'ai_academy'\n"
	"        THEN ARRAY['learner@example.com', 'graduate1@example.com', 'graduate2@example.com']\n"
	"        ELSE ARRAY['graduate3@example.com', 'graduate4@example.com'] END);\n"
	"    -- Everyone came, but for one absence of the last learner.\n"
	"    INSERT INTO attendance (session_id, enrollment_id, present, recorded_by)\n"
	"      SELECT cs.id, e.id, NOT (e.id = (SELECT max(id) FROM enrollments\n"
	"          WHERE section_id = sec) AND cs.starts_at = (SELECT min(starts_at)\n"
	"          FROM class_sessions WHERE section_id = sec)), teacher\n"
	"      FROM class_sessions cs JOIN enrollments e ON e.section_id = cs.section_id\n"
	"      WHERE cs.section_id = sec;\n"
	"    PERFORM set_config('lms.reason', 'completed', true);\n"
	"    UPDATE enrollments SET status = 'completed' WHERE section_id = sec;\n"
	"  END LOOP;\n"
	"  -- A completion given by mistake, taken back: its certificate is revoked.\n"
	"  PERFORM set_config('lms.reason', '출석 기록 정정: 수료 요건 미달', true);\n"
	"  UPDATE enrollments e SET status = 'incomplete' FROM users u\n"
	"    WHERE u.id = e.user_id AND u.email = 'graduate2@example.com' AND e.status = 'completed';\n"
	"END\n"
	"$demo$";

int certificate_seed_demo_load(struct db_conn *db, long long *issued, char *err, size_t errlen)
{
	PGresult *res = NULL;
	char *sql = malloc(sizeof(demo_head) + sizeof(demo_tail));
	int rc;

	*issued = 0;
	if (!sql) {
		snprintf(err, errlen, "demo certificates: %s", lms_strerror(LMS_ENOMEM));
		return LMS_ENOMEM;
	}
	snprintf(sql, sizeof(demo_head) + sizeof(demo_tail), "%s%s", demo_head, demo_tail);
	rc = db_begin(db);
	if (rc == 0)
		rc = db_exec_script(db, sql);
	free(sql);
	if (rc < 0 || (rc = db_commit(db)) < 0) {
		snprintf(err, errlen, "demo certificates: %s",
			 db->errmsg[0] ? db->errmsg : lms_strerror(rc));
		db_rollback(db);
		return rc;
	}
	if ((rc = db_exec(db, &res, "SELECT count(*) FROM certificates", 0, NULL)) < 0) {
		snprintf(err, errlen, "demo certificates: %s", lms_strerror(rc));
		return rc;
	}
	*issued = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}
