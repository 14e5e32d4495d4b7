/* routes.c - the platform's route table, registered with the web kit at start */
#include "lms/api/routes.h"

#include "lms/auth/audit_http.h"
#include "lms/auth/auth_http.h"
#include "lms/auth/guard.h"
#include "lms/auth/role_http.h"
#include "lms/auth/token_http.h"
#include "lms/catalog/admin_http.h"
#include "lms/catalog/catalog_http.h"
#include "lms/catalog/content_http.h"
#include "lms/enrollment/enrollment_http.h"
#include "lms/enrollment/roster_http.h"
#include "lms/http/ops_http.h"
#include "lms/reports/kpi_http.h"
#include "lms/reports/oneroster_http.h"
#include "lms/reports/report_http.h"
#include "lms/reports/summary_http.h"
#include "lms/schedule/calendar_http.h"
#include "lms/schedule/faculty_http.h"
#include "lms/schedule/session_http.h"
#include "lms/selection/funnel_http.h"
#include "lms/selection/selection_http.h"

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

	{HTTP_POST, "/api/v1/tokens", tokens_create, GUARD_TOKENS_MANAGE, 0},
	{HTTP_GET, "/api/v1/tokens", tokens_list, GUARD_TOKENS_MANAGE, 0},
	{HTTP_DELETE, "/api/v1/tokens/{id}", tokens_revoke, GUARD_TOKENS_MANAGE, 0},
	{HTTP_POST | HTTP_DELETE, "/api/v1/roles", roles_change, GUARD_ROLES_MANAGE, 0},
	{HTTP_GET, "/api/v1/audit", audit_read, GUARD_AUDIT_READ, 0},

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
	 GUARD_CATALOG_MANAGE, 0},
	{HTTP_PATCH, "/api/v1/modules/{id}", catalog_admin_module_update, GUARD_CATALOG_MANAGE, 0},
	{HTTP_POST, "/api/v1/modules/{id}/lessons", catalog_admin_lesson_create,
	 GUARD_CATALOG_MANAGE, 0},
	{HTTP_PATCH, "/api/v1/lessons/{id}", catalog_admin_lesson_update, GUARD_CATALOG_MANAGE, 0},

	/* enrolment */
	{HTTP_POST, "/api/v1/sections/{id}/enrollments", enrollment_create, GUARD_SIGNED_IN, 0},
	{HTTP_GET, "/api/v1/enrollments/{id}", enrollment_show, GUARD_ENROLLMENT_READ, 0},
	{HTTP_DELETE, "/api/v1/enrollments/{id}", enrollment_cancel, GUARD_ENROLLMENT_READ, 0},
	{HTTP_PATCH, "/api/v1/enrollments/{id}", enrollment_change, GUARD_ENROLLMENT_READ, 0},

	/* course content */
	{HTTP_GET, "/api/v1/courses/{id}/modules", content_syllabus, GUARD_PUBLIC, 0},
	{HTTP_GET, "/api/v1/lessons/{id}", content_lesson, GUARD_CONTENT_READ, 0},
	{HTTP_POST, "/api/v1/lessons/{id}/attachments", content_attachment_upload,
	 GUARD_CONTENT_UPLOAD, ROUTE_RAW_BODY},
	{HTTP_POST, "/api/v1/lessons/{id}/complete", content_lesson_complete, GUARD_PROGRESS_WRITE,
	 0},
	{HTTP_GET, "/api/v1/attachments/{id}", content_attachment_download, GUARD_CONTENT_READ, 0},

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
};

static const struct route_table routes = {table, sizeof(table) / sizeof(table[0])};

const struct route_table *api_routes(void) { return &routes; }

void api_register(struct http_app *app, struct auth_state *auth)
{
	app->routes = &routes;
	app->authorise = guard_route_or_reply;
	app->state = auth;
}
