/* quiz_http.h - handlers: quizzes (authoring, attempts, submission) */
#ifndef LMS_ACTIVITIES_QUIZ_HTTP_H
#define LMS_ACTIVITIES_QUIZ_HTTP_H

struct http_req;

/* PUT /api/v1/lessons/{id}/quiz: sets a quiz lesson's settings and
 * questions (the course's instructors and admins) -> 200 with the quiz as
 * its authors see it; 409 quiz_has_attempts once anyone has started it. */
void quiz_put(struct http_req *req);

/* GET /api/v1/lessons/{id}/quiz: authors get questions with answer keys;
 * learners the settings and their own attempts, never a key. */
void quiz_get(struct http_req *req);

/* POST /api/v1/lessons/{id}/quiz/attempts: starts an attempt (201) or
 * gives back the open one (200), questions in its own order, no keys. */
void quiz_attempt_start(struct http_req *req);

/* GET /api/v1/lessons/{id}/quiz/attempts: the attempts of learners in the
 * caller's sections (all of them for admins). */
void quiz_attempts_list(struct http_req *req);

/* GET /api/v1/quiz-attempts/{id}: the learner's own, or for the section's
 * instructors and the institution's admins. */
void quiz_attempt_show(struct http_req *req);

/* POST /api/v1/quiz-attempts/{id}/submit {answers}: grades it; a second
 * submission answers as the first did; 409 time_limit_passed after the
 * deadline and its grace. */
void quiz_attempt_submit(struct http_req *req);

#endif
