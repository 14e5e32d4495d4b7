/* routes.c - the platform's route table, registered with the web kit at start */
#include "lms/api/routes.h"

#include <stdio.h>
#include <stdlib.h>

#include "lms/auth/affiliation_http.h"
#include "lms/activities/assignment_http.h"
#include "lms/activities/progress_http.h"
#include "lms/activities/quiz_http.h"
#include "lms/auth/audit_http.h"
#include "lms/auth/auth_http.h"
#include "lms/auth/guard.h"
#include "lms/auth/profile_http.h"
#include "lms/auth/recovery_http.h"
#include "lms/auth/role_http.h"
#include "lms/auth/token_http.h"
#include "lms/catalog/admin_http.h"
#include "lms/catalog/catalog_http.h"
#include "lms/catalog/content_http.h"
#include "lms/certificate/certificate_http.h"
#include "lms/enrollment/bulk_http.h"
#include "lms/enrollment/enrollment_http.h"
#include "lms/enrollment/roster_http.h"
#include "lms/http/ops_http.h"
#include "lms/reports/kpi_http.h"
#include "lms/reports/oneroster_http.h"
#include "lms/reports/report_http.h"
#include "lms/reports/summary_http.h"
#include "lms/schedule/calendar_http.h"
#include "lms/schedule/faculty_http.h"
#include "lms/schedule/series_http.h"
#include "lms/schedule/invitation_http.h"
#include "lms/schedule/session_http.h"
#include "lms/mail/mail_http.h"
#include "lms/selection/funnel_http.h"
#include "lms/selection/selection_http.h"
#include "lms/service/housekeeping.h"

/* Every API path of the platform, one line each. */
static const struct route table[] = {
	{HTTP_GET, "/healthz", ops_healthz, GUARD_PUBLIC, 0},
	{HTTP_GET, "/readyz", ops_readyz, GUARD_PUBLIC, 0},
	{HTTP_GET, "/metrics", ops_metrics, GUARD_METRICS_READ, 0},

	{HTTP_POST, "/api/v1/auth/register", auth_register, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/auth/login", auth_login, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/auth/logout", auth_logout, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/me", auth_me, GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/me/password", auth_password_change, GUARD_SIGNED_IN, 0},

	/* mail: reset, verification, failed messages */
	{HTTP_POST, "/api/v1/auth/password/forgot", recovery_forgot, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/auth/password/reset", recovery_reset, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/auth/email/verify", recovery_verify, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/me/email/verification", recovery_verify_resend, GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/users/{id}/password-reset", recovery_admin_reset,
	 GUARD_PLATFORM_MANAGE, 0},
	{HTTP_GET, "/api/v1/mail/failed", mail_failed_list, GUARD_PLATFORM_MANAGE, 0},
	{HTTP_POST, "/api/v1/mail/{id}/retry", mail_retry, GUARD_PLATFORM_MANAGE, 0},
	{HTTP_GET, "/api/v1/me/notifications", mail_notifications_get, GUARD_SIGNED_IN, 0},
	{HTTP_PUT, "/api/v1/me/notifications", mail_notifications_put, GUARD_SIGNED_IN, 0},

	{HTTP_POST, "/api/v1/tokens", tokens_create, GUARD_TOKENS_MANAGE, 0},
	{HTTP_GET, "/api/v1/tokens", tokens_list, GUARD_TOKENS_MANAGE, 0},
	{HTTP_DELETE, "/api/v1/tokens/{id}", tokens_revoke, GUARD_TOKENS_MANAGE, 0},
	{HTTP_POST | HTTP_DELETE, "/api/v1/roles", roles_change, GUARD_ROLES_MANAGE, 0},
	{HTTP_GET, "/api/v1/audit", audit_read, GUARD_AUDIT_READ, 0},

	/* accounts: profile, verified affiliation, privacy, directory */
	{HTTP_GET, "/api/v1/me/profile", profile_show, GUARD_SIGNED_IN, 0},
	{HTTP_PATCH, "/api/v1/me", profile_update, GUARD_SIGNED_IN, 0},
	{HTTP_DELETE, "/api/v1/me", profile_delete, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/me/export", profile_export, GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/me/email/confirm", profile_email_confirm, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/privacy-notice", profile_privacy_notice, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/institutions", affiliation_institution_create,
	 GUARD_INSTITUTIONS_MANAGE, 0},
	{HTTP_GET, "/api/v1/institutions/{id}/domains", affiliation_domains_list,
	 GUARD_AFFILIATION_MANAGE, 0},
	{HTTP_POST, "/api/v1/institutions/{id}/domains", affiliation_domain_add,
	 GUARD_AFFILIATION_MANAGE, 0},
	{HTTP_DELETE, "/api/v1/institutions/{id}/domains/{domain}", affiliation_domain_remove,
	 GUARD_AFFILIATION_MANAGE, 0},
	{HTTP_GET, "/api/v1/institutions/{id}/affiliation-claims", affiliation_claims_list,
	 GUARD_AFFILIATION_MANAGE, 0},
	{HTTP_PATCH, "/api/v1/affiliation-claims/{id}", affiliation_claim_decide,
	 GUARD_AFFILIATION_MANAGE, 0},
	{HTTP_GET, "/api/v1/users", affiliation_users, GUARD_USERS_READ, 0},
	{HTTP_GET, "/api/v1/me/instructor-invitations", invitation_mine, GUARD_SIGNED_IN, 0},
	{HTTP_PATCH, "/api/v1/instructor-invitations/{id}", invitation_answer, GUARD_SIGNED_IN,
	 0},
	{HTTP_PUT, "/api/v1/instructors/{id}/home", invitation_home_move,
	 GUARD_INSTITUTIONS_MANAGE, 0},

	/* catalogue: reading */
	{HTTP_GET, "/api/v1/institutions", catalog_institutions, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/programs", catalog_programs, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/courses", catalog_courses, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/courses/{id}", catalog_course, GUARD_PUBLIC, 0},

	/* catalogue: institution admins */
	{HTTP_POST, "/api/v1/courses", catalog_admin_course_create, GUARD_CATALOG_MANAGE, 0},
	{HTTP_PATCH, "/api/v1/courses/{id}", catalog_admin_course_update, GUARD_CATALOG_MANAGE, 0},
	{HTTP_POST, "/api/v1/courses/{id}/sections", catalog_admin_section_create,
	 GUARD_CATALOG_MANAGE, 0},
	{HTTP_PATCH, "/api/v1/sections/{id}", catalog_admin_section_update, GUARD_CATALOG_MANAGE, 0},
	{HTTP_POST, "/api/v1/courses/{id}/modules", catalog_admin_module_create,
	 GUARD_CONTENT_AUTHOR, 0},
	{HTTP_PATCH, "/api/v1/modules/{id}", catalog_admin_module_update, GUARD_CONTENT_AUTHOR, 0},
	{HTTP_POST, "/api/v1/modules/{id}/lessons", catalog_admin_lesson_create,
	 GUARD_CONTENT_AUTHOR, 0},
	{HTTP_PATCH, "/api/v1/lessons/{id}", catalog_admin_lesson_update, GUARD_CONTENT_AUTHOR, 0},

	/* enrolment */
	{HTTP_POST, "/api/v1/sections/{id}/enrollments", enrollment_create, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/enrollments/{id}", enrollment_show, GUARD_ENROLLMENT_READ, 0},
	{HTTP_DELETE, "/api/v1/enrollments/{id}", enrollment_cancel, GUARD_ENROLLMENT_READ, 0},
	{HTTP_PATCH, "/api/v1/enrollments/{id}", enrollment_change, GUARD_ENROLLMENT_READ, 0},
	/* An institution's admins enrol for learners: one, or a CSV file of them. */
	{HTTP_POST, "/api/v1/sections/{id}/enrollments/on-behalf", enrollment_on_behalf,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_POST, "/api/v1/sections/{id}/enrollments/bulk", enrollment_bulk,
	 GUARD_ENROLLMENT_MANAGE, ROUTE_RAW_BODY},
	{HTTP_GET, "/api/v1/me/invitations", enrollment_invitations_mine, GUARD_SIGNED_IN, 0},

	/* course content */
	{HTTP_GET, "/api/v1/courses/{id}/modules", content_syllabus, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/lessons/{id}", content_lesson, GUARD_CONTENT_READ, 0},
	{HTTP_POST, "/api/v1/lessons/{id}/attachments", content_attachment_upload,
	 GUARD_CONTENT_UPLOAD, ROUTE_RAW_BODY},
	{HTTP_POST, "/api/v1/lessons/{id}/complete", content_lesson_complete, GUARD_PROGRESS_WRITE,
	 0},
	{HTTP_GET, "/api/v1/attachments/{id}", content_attachment_download, GUARD_CONTENT_READ, 0},

	/* learning activities: quizzes */
	{HTTP_PUT, "/api/v1/lessons/{id}/quiz", quiz_put, GUARD_CONTENT_UPLOAD, 0},
	{HTTP_GET, "/api/v1/lessons/{id}/quiz", quiz_get, GUARD_CONTENT_READ, 0},
	{HTTP_POST, "/api/v1/lessons/{id}/quiz/attempts", quiz_attempt_start, GUARD_PROGRESS_WRITE,
	 0},
	{HTTP_GET, "/api/v1/lessons/{id}/quiz/attempts", quiz_attempts_list, GUARD_CONTENT_READ, 0},
	{HTTP_GET, "/api/v1/quiz-attempts/{id}", quiz_attempt_show, GUARD_ENROLLMENT_READ, 0},
	{HTTP_POST, "/api/v1/quiz-attempts/{id}/submit", quiz_attempt_submit, GUARD_ENROLLMENT_READ,
	 0},

	/* learning activities: assignments */
	{HTTP_PUT, "/api/v1/lessons/{id}/assignment", assignment_put, GUARD_CONTENT_UPLOAD, 0},
	{HTTP_GET, "/api/v1/lessons/{id}/assignment", assignment_get, GUARD_CONTENT_READ, 0},
	{HTTP_PUT, "/api/v1/lessons/{id}/submission", assignment_submit_text, GUARD_PROGRESS_WRITE,
	 0},
	{HTTP_POST, "/api/v1/lessons/{id}/submission/file", assignment_submit_file,
	 GUARD_PROGRESS_WRITE, ROUTE_RAW_BODY},
	{HTTP_GET, "/api/v1/lessons/{id}/submissions", assignment_queue, GUARD_CONTENT_READ, 0},
	{HTTP_GET, "/api/v1/assignment-submissions/{id}", assignment_submission_show,
	 GUARD_ENROLLMENT_READ, 0},
	{HTTP_GET, "/api/v1/assignment-submissions/{id}/file", assignment_submission_file,
	 GUARD_ENROLLMENT_READ, 0},
	{HTTP_PUT, "/api/v1/assignment-submissions/{id}/grade", assignment_grade,
	 GUARD_ENROLLMENT_GRADE, 0},

	/* learning activities: video progress, completion, gradebook */
	{HTTP_PUT, "/api/v1/lessons/{id}/video-progress", video_progress_put, GUARD_PROGRESS_WRITE,
	 0},
	{HTTP_GET, "/api/v1/lessons/{id}/video-progress", video_progress_get, GUARD_CONTENT_READ, 0},
	{HTTP_PUT, "/api/v1/courses/{id}/completion-rules", completion_rules_put,
	 GUARD_CATALOG_MANAGE, 0},
	{HTTP_GET, "/api/v1/courses/{id}/completion-rules", completion_rules_get, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/enrollments/{id}/checklist", completion_checklist_get,
	 GUARD_ENROLLMENT_READ, 0},
	{HTTP_GET, "/api/v1/sections/{id}/gradebook", gradebook_section, GUARD_ROSTER_READ, 0},

	/* enrolment: reading */
	{HTTP_GET, "/api/v1/me/enrollments", roster_mine, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/sections/{id}/roster", roster_section, GUARD_ROSTER_READ, 0},
	/* An institution's admins: its queue of applications, among others. */
	{HTTP_GET, "/api/v1/enrollments", roster_institution, GUARD_ENROLLMENT_MANAGE, 0},

	/* selection: intakes, applications, offers (docs/selection.md) */
	{HTTP_POST, "/api/v1/intakes", selection_intake_create, GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_GET, "/api/v1/intakes", selection_intake_list, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/intakes/{id}", selection_intake_show, GUARD_PUBLIC, 0},
	/* Admins and the intake's reviewers: decided in the handler. */
	{HTTP_GET, "/api/v1/intakes/{id}/applications", selection_intake_applications,
	 GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/intakes/{id}/applications", selection_apply, GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/intakes/{id}/stages/{stage_id}/close", selection_stage_close,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_POST, "/api/v1/intakes/{id}/offers", selection_offers_make, GUARD_ENROLLMENT_MANAGE,
	 0},
	{HTTP_POST, "/api/v1/intakes/{id}/decisions", selection_decisions_upload, GUARD_SIGNED_IN,
	 ROUTE_RAW_BODY},
	{HTTP_GET, "/api/v1/intakes/{id}/reviewers", selection_reviewers_list,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_POST, "/api/v1/intakes/{id}/reviewers", selection_reviewer_add,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_DELETE, "/api/v1/intakes/{id}/reviewers/{user_id}", selection_reviewer_remove,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_GET, "/api/v1/me/applications", selection_applications_mine, GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/intakes/{id}/interviews", selection_interview_create,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_GET, "/api/v1/intakes/{id}/interviews", selection_interviews_list,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_POST, "/api/v1/intakes/{id}/interviews/{session_id}/applicants",
	 selection_interview_assign, GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_GET, "/api/v1/applications/{id}", selection_application_show, GUARD_SIGNED_IN, 0},
	{HTTP_DELETE, "/api/v1/applications/{id}", selection_application_withdraw, GUARD_SIGNED_IN,
	 0},
	{HTTP_POST, "/api/v1/applications/{id}/results", selection_application_result,
	 GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/applications/{id}/reject", selection_application_reject,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_POST, "/api/v1/applications/{id}/documents", selection_document_upload,
	 GUARD_SIGNED_IN, ROUTE_RAW_BODY},
	{HTTP_GET, "/api/v1/applications/{id}/documents/{document_id}", selection_document_download,
	 GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/applications/{id}/accept", selection_offer_accept, GUARD_SIGNED_IN, 0},
	{HTTP_POST, "/api/v1/applications/{id}/decline", selection_offer_decline, GUARD_SIGNED_IN,
	 0},

	{HTTP_GET, "/api/v1/program-exclusions", selection_exclusions_list, GUARD_PUBLIC, 0},
	{HTTP_POST, "/api/v1/program-exclusions", selection_exclusion_create, GUARD_ADMINS_MANAGE,
	 0},
	{HTTP_DELETE, "/api/v1/program-exclusions/{code}/{other_code}", selection_exclusion_delete,
	 GUARD_ADMINS_MANAGE, 0},

	/* schedule: calendars */
	{HTTP_GET, "/api/v1/instructors/{id}/schedule", calendar_schedule, GUARD_SCHEDULE_READ, 0},
	/* Public so that a feed key alone gets in; without one the handler
	 * asks the guard as the JSON schedule does. */
	{HTTP_GET, "/api/v1/instructors/{id}/schedule.ics", calendar_schedule_ics, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/me/calendar.ics", calendar_mine_ics, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/me/schedule", calendar_schedule_mine, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/institutions/{id}/schedule", calendar_schedule_institution,
	 GUARD_INSTITUTION_SCHEDULE_READ, 0},
	{HTTP_POST, "/api/v1/me/calendar-feeds", calendar_feeds_create, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/me/calendar-feeds", calendar_feeds_list, GUARD_SIGNED_IN, 0},
	{HTTP_DELETE, "/api/v1/me/calendar-feeds/{id}", calendar_feeds_revoke, GUARD_SIGNED_IN, 0},

	/* schedule: instructors and facilities */
	{HTTP_POST, "/api/v1/instructors", faculty_instructor_create, GUARD_FACULTY_MANAGE, 0},
	{HTTP_GET, "/api/v1/instructors", faculty_instructor_list, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/instructors/{id}", faculty_instructor_show, GUARD_PUBLIC, 0},
	/* The instructor or the home's admins: decided in the handler. */
	{HTTP_PATCH, "/api/v1/instructors/{id}", faculty_instructor_update, GUARD_PROFILE_EDIT, 0},
	{HTTP_POST, "/api/v1/instructors/{id}/shares", faculty_share_create, GUARD_FACULTY_MANAGE,
	 0},
	{HTTP_DELETE, "/api/v1/instructors/{id}/shares/{institution_id}", faculty_share_delete,
	 GUARD_FACULTY_MANAGE, 0},
	{HTTP_POST, "/api/v1/facilities", faculty_facility_create, GUARD_FACULTY_MANAGE, 0},
	{HTTP_GET, "/api/v1/facilities", faculty_facility_list, GUARD_SIGNED_IN, 0},
	{HTTP_PATCH, "/api/v1/facilities/{id}", faculty_facility_update, GUARD_FACULTY_MANAGE, 0},

	/* schedule: sessions and attendance */
	{HTTP_POST, "/api/v1/sections/{id}/sessions", class_session_create, GUARD_SESSION_MANAGE,
	 0},
	{HTTP_GET, "/api/v1/sections/{id}/sessions", class_session_list, GUARD_CONTENT_READ, 0},
	{HTTP_POST, "/api/v1/sections/{id}/session-series", class_series_create,
	 GUARD_SESSION_MANAGE, 0},
	{HTTP_GET, "/api/v1/session-series/{id}", class_series_show, GUARD_CONTENT_READ, 0},
	{HTTP_GET, "/api/v1/sessions/{id}", class_session_show, GUARD_CONTENT_READ, 0},
	{HTTP_PATCH, "/api/v1/sessions/{id}", class_session_update, GUARD_SESSION_MANAGE, 0},
	{HTTP_PUT, "/api/v1/sessions/{id}/attendance", class_session_attendance_put,
	 GUARD_ATTENDANCE_WRITE, 0},
	/* Reading it is reading a roster: the section's instructors too. */
	{HTTP_GET, "/api/v1/sessions/{id}/attendance", class_session_attendance_show,
	 GUARD_ROSTER_READ, 0},
	{HTTP_GET, "/api/v1/me/sections", class_session_sections_mine, GUARD_SIGNED_IN, 0},

	/* reports: enrolments */
	{HTTP_GET, "/api/v1/reports/enrollments", report_enrollments, GUARD_REPORTS_READ,
	 ROUTE_REPORT},

	/* reports: OneRoster */
	{HTTP_GET, "/api/v1/reports/oneroster", oneroster_report, GUARD_REPORTS_READ, ROUTE_REPORT},

	/* reports: summary and regional-centre KPIs */
	{HTTP_GET, "/api/v1/reports/summary", summary_report, GUARD_REPORTS_READ, 0},
	{HTTP_GET, "/api/v1/reports/kpi", kpi_report, GUARD_REPORTS_READ, 0},
	{HTTP_GET, "/api/v1/reports/selection-funnel", selection_funnel_report, GUARD_REPORTS_READ,
	 0},
	{HTTP_GET, "/api/v1/reports/kpi/outputs", kpi_outputs_list, GUARD_REPORTS_READ, 0},
	{HTTP_POST, "/api/v1/reports/kpi/outputs", kpi_outputs_create, GUARD_KPI_RECORD, 0},
	{HTTP_DELETE, "/api/v1/reports/kpi/outputs/{id}", kpi_outputs_delete, GUARD_KPI_RECORD, 0},
	/* certificates of completion: verification is public (throttled,
	 * audited); the PDF ({serial}.pdf) is decided in the handler */
	{HTTP_GET, "/api/v1/certificates/keys", certificate_keys, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/reports/kpi/trained", certificate_kpi_trained, GUARD_REPORTS_READ, 0},
	{HTTP_GET, "/api/v1/certificates/{serial}", certificate_show, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/me/certificates", certificate_mine, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/sections/{id}/certificates", certificate_section_list,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_GET, "/api/v1/sections/{id}/certificates.zip", certificate_section_zip,
	 GUARD_ENROLLMENT_MANAGE, 0},
	{HTTP_GET | HTTP_PATCH, "/api/v1/institutions/{id}/certificate-issuer", certificate_issuer,
	 GUARD_CATALOG_MANAGE, 0},
	{HTTP_PUT | HTTP_DELETE, "/api/v1/institutions/{id}/certificate-seal", certificate_seal,
	 GUARD_CATALOG_MANAGE, ROUTE_RAW_BODY},
};

static const struct route_table routes = {table, sizeof(table) / sizeof(table[0])};

const struct route_table *api_routes(void) { return &routes; }

/* /metrics beyond the requests: the mail worker's, then housekeeping's. */
static char *metrics_more(struct http_req *req)
{
	char *mail = mail_metrics_text(req), *house = housekeeping_metrics_text(), *both = NULL;

	if (!mail || !house) {
		free(mail);
		free(house);
		return NULL;
	}
	if (asprintf(&both, "%s%s", mail, house) < 0)
		both = NULL;
	free(mail);
	free(house);
	return both;
}

void api_register(struct http_app *app, struct auth_state *auth)
{
	app->routes = &routes;
	app->authorise = guard_route_or_reply;
	app->state = auth;
	app->metrics_more = metrics_more;
}
