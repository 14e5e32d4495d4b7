/* config.c - typed configuration table: defaults, file, environment */
#include "lms/core/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/core/netaddr.h"

enum opt_type { OPT_STRING, OPT_INT, OPT_SIZE, OPT_BOOL, OPT_LOGLEVEL, OPT_NETLIST };

struct opt {
	const char *name;
	enum opt_type type;
	size_t offset;
	const char *def;
	long long min, max;  /* OPT_INT and OPT_SIZE */
	bool secret;
	bool nonempty;       /* OPT_STRING */
};

#define F(field) offsetof(struct lms_config, field)

/* The one list of keys; config/lms.conf documents each. */
static const struct opt opts[] = {
	{"listen_address", OPT_STRING, F(listen_address), "127.0.0.1", 0, 0, false, true},
	{"public_host", OPT_STRING, F(public_host), "localhost", 0, 0, false, true},
	{"https_port", OPT_INT, F(https_port), "8443", 1, 65535, false, false},
	{"http_port", OPT_INT, F(http_port), "0", 0, 65535, false, false},
	{"tls_cert", OPT_STRING, F(tls_cert), "", 0, 0, false, false},
	{"tls_key", OPT_STRING, F(tls_key), "", 0, 0, false, false},
	{"database_url", OPT_STRING, F(database_url), "", 0, 0, true, false},
	{"app_database_url", OPT_STRING, F(app_database_url), "", 0, 0, true, false},
	{"listen_database_url", OPT_STRING, F(listen_database_url), "", 0, 0, true, false},
	{"report_database_url", OPT_STRING, F(report_database_url), "", 0, 0, true, false},
	{"listen_heartbeat_ms", OPT_INT, F(listen_heartbeat_ms), "5000", 100, 600000, false, false},
	{"cache_fallback_ttl_ms", OPT_INT, F(cache_fallback_ttl_ms), "2000", 0, 600000, false,
	 false},
	{"offer_job_interval_ms", OPT_INT, F(offer_job_interval_ms), "30000", 100, 3600000, false,
	 false},
	{"housekeeping_interval_s", OPT_INT, F(housekeeping_interval_s), "3600", 1, 86400, false,
	 false},
	{"migrate_lock_timeout_s", OPT_INT, F(migrate_lock_timeout_s), "300", 1, 86400, false,
	 false},
	{"data_dir", OPT_STRING, F(data_dir), "var", 0, 0, false, true},
	{"pg_bindir", OPT_STRING, F(pg_bindir), LMS_PG_BINDIR_DEFAULT, 0, 0, false, true},
	{"static_dir", OPT_STRING, F(static_dir), "static", 0, 0, false, true},
	{"migrations_dir", OPT_STRING, F(migrations_dir), "migrations", 0, 0, false, true},
	{"seed_dir", OPT_STRING, F(seed_dir), "app/seed/data", 0, 0, false, true},
	{"worker_threads", OPT_INT, F(worker_threads), "1200", 2, 8192, false, false},
	{"db_pool_size", OPT_INT, F(db_pool_size), "8", 1, 500, false, false},
	{"db_pool_wait_ms", OPT_INT, F(db_pool_wait_ms), "2000", 1, 600000, false, false},
	{"db_prepared_statements", OPT_BOOL, F(db_prepared_statements), "yes", 0, 0, false,
	 false},
	{"max_body_bytes", OPT_SIZE, F(max_body_bytes), "1MiB", 1024, 1LL << 30, false, false},
	{"max_upload_bytes", OPT_SIZE, F(max_upload_bytes), "50MiB", 1024, 1LL << 30, false, false},
	{"request_timeout_ms", OPT_INT, F(request_timeout_ms), "10000", 100, 3600000, false, false},
	{"body_timeout_ms", OPT_INT, F(body_timeout_ms), "10000", 100, 3600000, false, false},
	{"body_min_rate", OPT_SIZE, F(body_min_rate), "16KiB", 1, 1LL << 30, false, false},
	{"keep_alive_timeout_ms", OPT_INT, F(keep_alive_timeout_ms), "5000", 0, 600000, false, false},
	{"report_pool_size", OPT_INT, F(report_pool_size), "2", 1, 100, false, false},
	{"shutdown_grace_ms", OPT_INT, F(shutdown_grace_ms), "10000", 0, 600000, false, false},
	{"log_level", OPT_LOGLEVEL, F(log_level), "info", 0, 0, false, false},
	{"access_log", OPT_BOOL, F(access_log), "yes", 0, 0, false, false},
	{"password_hash_iterations", OPT_INT, F(password_hash_iterations), "600000", 1000, 100000000,
	 false, false},
	{"password_hash_concurrency", OPT_INT, F(password_hash_concurrency), "0", 0, 256, false,
	 false},
	{"common_passwords_file", OPT_STRING, F(common_passwords_file),
	 "/usr/share/john/password.lst", 0, 0, false, false},
	{"session_idle_timeout_s", OPT_INT, F(session_idle_timeout_s), "1800", 60, 86400, false,
	 false},
	{"session_lifetime_s", OPT_INT, F(session_lifetime_s), "43200", 300, 2592000, false, false},
	{"trusted_proxies", OPT_NETLIST, F(trusted_proxies), "", 0, 0, false, false},
	{"register_per_address", OPT_INT, F(register_per_address), "20", 1, 1000000, false, false},
	{"register_window_s", OPT_INT, F(register_window_s), "3600", 60, 604800, false, false},
	{"certificate_signing_key", OPT_STRING, F(certificate_signing_key), "", 0, 0, false, false},
	{"certificate_lookups_per_address", OPT_INT, F(certificate_lookups_per_address), "60", 1,
	 1000000, false, false},
	{"certificate_lookup_window_s", OPT_INT, F(certificate_lookup_window_s), "60", 1, 86400,
	 false, false},
	{"public_url", OPT_STRING, F(public_url), "", 0, 0, false, false},
	{"mail_from", OPT_STRING, F(mail_from), "Gwangju AI Talent Platform <no-reply@localhost>",
	 0, 0, false, true},
	{"mail_dir", OPT_STRING, F(mail_dir), "", 0, 0, false, false},
	{"smtp_url", OPT_STRING, F(smtp_url), "", 0, 0, false, false},
	{"smtp_starttls", OPT_BOOL, F(smtp_starttls), "yes", 0, 0, false, false},
	{"smtp_username", OPT_STRING, F(smtp_username), "", 0, 0, false, false},
	{"smtp_password_file", OPT_STRING, F(smtp_password_file), "", 0, 0, false, false},
	{"smtp_ca_file", OPT_STRING, F(smtp_ca_file), "", 0, 0, false, false},
	{"smtp_timeout_s", OPT_INT, F(smtp_timeout_s), "30", 1, 600, false, false},
	{"mail_max_attempts", OPT_INT, F(mail_max_attempts), "8", 1, 100, false, false},
	{"mail_retry_base_s", OPT_INT, F(mail_retry_base_s), "30", 1, 86400, false, false},
	{"mail_retry_max_s", OPT_INT, F(mail_retry_max_s), "3600", 1, 604800, false, false},
	{"mail_poll_ms", OPT_INT, F(mail_poll_ms), "30000", 100, 3600000, false, false},
	{"password_reset_ttl_s", OPT_INT, F(password_reset_ttl_s), "1800", 60, 86400, false,
	 false},
	{"email_verify_ttl_s", OPT_INT, F(email_verify_ttl_s), "86400", 60, 604800, false, false},
	{"mail_requests_per_address", OPT_INT, F(mail_requests_per_address), "20", 1, 1000000,
	 false, false},
	{"mail_requests_per_email", OPT_INT, F(mail_requests_per_email), "3", 1, 1000, false,
	 false},
	{"mail_requests_window_s", OPT_INT, F(mail_requests_window_s), "3600", 60, 604800, false,
	 false},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const struct opt *opt_find(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

static bool parse_ll(const char *s, long long *out)
{
	char *end;
	errno = 0;
	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Accepts a byte count with an optional KiB/MiB/GiB suffix. */
static bool parse_size(const char *s, long long *out)
{
	static const struct { const char *sfx; long long mul; } units[] = {
		{"KiB", 1LL << 10}, {"MiB", 1LL << 20}, {"GiB", 1LL << 30}, {"", 1}};
	char *end;
	long long n;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return false;
	n = strtoll(s, &end, 10);
	if (errno)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].sfx) == 0) {
			if (n > LLONG_MAX / units[i].mul)
				return false;
			*out = n * units[i].mul;
			return true;
		}
	}
	return false;
}

/* Validates value and stores it; on failure writes a message (no prefix). */
static int opt_set(struct lms_config *cfg, const struct opt *o, const char *value, char *msg,
		   size_t msglen)
{
	void *field = (char *)cfg + o->offset;
	long long n;

	switch (o->type) {
	case OPT_STRING: {
		char *copy;
		if (o->nonempty && *value == '\0') {
			snprintf(msg, msglen, "%s: must not be empty", o->name);
			return LMS_EINVAL;
		}
		if (!(copy = strdup(value)))
			return LMS_ENOMEM;
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	}
	case OPT_INT:
	case OPT_SIZE:
		if (!(o->type == OPT_INT ? parse_ll(value, &n) : parse_size(value, &n)) || n < o->min ||
		    n > o->max) {
			snprintf(msg, msglen, "%s: expected %s from %lld to %lld, got \"%s\"", o->name,
				 o->type == OPT_INT ? "an integer" : "a size in bytes (or KiB, MiB, GiB)",
				 o->min, o->max, value);
			return LMS_EINVAL;
		}
		if (o->type == OPT_INT)
			*(int *)field = (int)n;
		else
			*(long long *)field = n;
		return 0;
	case OPT_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on")) {
			*(bool *)field = true;
		} else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off")) {
			*(bool *)field = false;
		} else {
			snprintf(msg, msglen, "%s: expected yes or no, got \"%s\"", o->name, value);
			return LMS_EINVAL;
		}
		return 0;
	case OPT_LOGLEVEL:
		if (!log_level_parse(value, (enum log_level *)field)) {
			snprintf(msg, msglen, "%s: expected debug, info, warn or error, got \"%s\"",
				 o->name, value);
			return LMS_EINVAL;
		}
		return 0;
	case OPT_NETLIST: {
		struct netaddr_list list;
		char why[256];
		int rc;

		if ((rc = netaddr_list_parse(value, &list, why, sizeof(why))) < 0) {
			snprintf(msg, msglen, "%s: %s", o->name, why);
			return rc;
		}
		netaddr_list_release(field);
		*(struct netaddr_list *)field = list;
		return 0;
	}
	}
	return LMS_EINVAL;
}

static char *trim(char *s)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int load_file(struct lms_config *cfg, const char *path, char *err, size_t errlen)
{
	bool seen[NOPTS] = {false};
	char line[4096], msg[512];
	FILE *f;
	int lineno = 0, rc = 0;

	if (!(f = fopen(path, "r"))) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return LMS_EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *value, *eq;
		const struct opt *o;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			rc = LMS_EINVAL;
			break;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if (!(eq = strchr(key, '='))) {
			snprintf(err, errlen, "%s:%d: expected \"key = value\"", path, lineno);
			rc = LMS_EINVAL;
			break;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (!(o = opt_find(key))) {
			snprintf(err, errlen, "%s:%d: unknown key \"%s\"", path, lineno, key);
			rc = LMS_EINVAL;
			break;
		}
		if (seen[o - opts]) {
			snprintf(err, errlen, "%s:%d: %s: set twice", path, lineno, key);
			rc = LMS_EINVAL;
			break;
		}
		seen[o - opts] = true;
		if ((rc = opt_set(cfg, o, value, msg, sizeof(msg))) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno,
				 rc == LMS_ENOMEM ? "out of memory" : msg);
			break;
		}
	}
	fclose(f);
	return rc;
}

int config_load(struct lms_config *cfg, const char *path, char *err, size_t errlen)
{
	char msg[512], envname[64];
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NOPTS; i++) {
		if ((rc = opt_set(cfg, &opts[i], opts[i].def, msg, sizeof(msg))) < 0) {
			snprintf(err, errlen, "default: %s", msg);
			return rc;
		}
	}
	if (path && (rc = load_file(cfg, path, err, errlen)) < 0)
		return rc;
	for (size_t i = 0; i < NOPTS; i++) {
		const char *value;
		size_t n = (size_t)snprintf(envname, sizeof(envname), "LMS_%s", opts[i].name);

		for (size_t j = 4; j < n; j++)
			envname[j] = (char)toupper((unsigned char)envname[j]);
		if (!(value = getenv(envname)))
			continue;
		if ((rc = opt_set(cfg, &opts[i], value, msg, sizeof(msg))) < 0) {
			snprintf(err, errlen, "%s: %s", envname, rc == LMS_ENOMEM ? "out of memory" : msg);
			return rc;
		}
	}
	return 0;
}

void config_release(struct lms_config *cfg)
{
	for (size_t i = 0; i < NOPTS; i++) {
		void *field = (char *)cfg + opts[i].offset;

		if (opts[i].type == OPT_STRING) {
			free(*(char **)field);
			*(char **)field = NULL;
		} else if (opts[i].type == OPT_NETLIST) {
			netaddr_list_release(field);
		}
	}
}

void config_print(const struct lms_config *cfg)
{
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	for (size_t i = 0; i < NOPTS; i++) {
		const void *field = (const char *)cfg + opts[i].offset;
		const struct opt *o = &opts[i];

		printf("%s = ", o->name);
		switch (o->type) {
		case OPT_STRING:
			printf("%s\n", o->secret && **(char *const *)field ? "(set)" : *(char *const *)field);
			break;
		case OPT_INT: printf("%d\n", *(const int *)field); break;
		case OPT_SIZE: printf("%lld\n", *(const long long *)field); break;
		case OPT_BOOL: printf("%s\n", *(const bool *)field ? "yes" : "no"); break;
		case OPT_LOGLEVEL: printf("%s\n", levels[*(const enum log_level *)field]); break;
		case OPT_NETLIST: {
			const struct netaddr_list *l = field;
			char range[NETADDR_TEXT_MAX + 8];

			for (size_t k = 0; k < l->n; k++)
				printf("%s%s", k ? ", " : "",
				       netaddr_range_format(&l->v[k], range, sizeof(range)));
			printf("\n");
			break;
		}
		}
	}
}

void config_public_url(const struct lms_config *cfg, char *out, size_t len)
{
	size_t n;

	if (cfg->public_url[0])
		snprintf(out, len, "%s", cfg->public_url);
	else if (cfg->https_port == 443)
		snprintf(out, len, "https://%s", cfg->public_host);
	else
		snprintf(out, len, "https://%s:%d", cfg->public_host, cfg->https_port);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
}
