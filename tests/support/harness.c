/* harness.c - integration tests: scratch databases, a real lms, HTTPS clients */
#include "harness.h"

#include "lms/auth/secret.h"
#include "lms/auth/session_store.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or_die(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		fprintf(stderr, "harness: %s is not set (run the tests through ctest)\n", name);
		exit(1);
	}
	return v;
}

const char *harness_lms_bin(void) { return env_or_die("LMS_TEST_BIN"); }
const char *harness_source_dir(void) { return env_or_die("LMS_TEST_SOURCE_DIR"); }

double harness_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A superuser conninfo (pgscratch writes db_embedded_superuser_conninfo), so
 * it may drop and create databases; those then belong to postgres. */
static int scratch_conninfo(char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/conninfo", env_or_die("LMS_TEST_SCRATCH_DIR"));
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "harness: %s: %s (is the pg_scratch fixture running?)\n", path,
			strerror(errno));
		return -1;
	}
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int harness_sql(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	int rc = -1;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: connect: %s", PQerrorMessage(c));
		goto out;
	}
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
		rc = 0;
	else
		fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
out:
	PQfinish(c);
	return rc;
}

int harness_sql_value(const char *conninfo, const char *sql, char *buf, size_t len)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = NULL;
	int rc = -1;

	buf[0] = '\0';
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: connect: %s", PQerrorMessage(c));
		goto out;
	}
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
		snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
		rc = 0;
	} else if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
	}
out:
	PQclear(r);
	PQfinish(c);
	return rc;
}

bool harness_migrated_none(const char *out)
{
	static const char none[] = "0 migrations applied";

	for (const char *p = out; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, none, sizeof(none) - 1))
			return true;
	return false;
}

long long harness_sql_ll(const char *conninfo, const char *sql)
{
	char buf[64];

	return harness_sql_value(conninfo, sql, buf, sizeof(buf)) == 0 ? strtoll(buf, NULL, 10) : -1;
}

long long harness_sql_llf(const char *conninfo, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	long long v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if ((v = harness_sql_ll(conninfo, sql)) < 0)
		fail_msg("query failed or returned nothing: %s", sql);
	return v;
}

json_t *harness_json_body(const struct http_result *r)
{
	json_t *j = json_loads(r->body ? r->body : "", 0, NULL);

	if (!j)
		fail_msg("response body is not JSON: %s", r->body ? r->body : "(none)");
	return j;
}

int harness_db_create(const char *name, char *conninfo, size_t len)
{
	char base[1024], sql[256];

	if (scratch_conninfo(base, sizeof(base)) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	if (harness_sql(base, sql) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	if (harness_sql(base, sql) < 0)
		return -1;
	snprintf(conninfo, len, "%s dbname=%s", base, name);
	return 0;
}

static void apply_env(const char *const *env)
{
	for (; env && *env; env++) {
		char *kv = strdup(*env), *eq = strchr(kv, '=');
		if (eq) {
			*eq = '\0';
			setenv(kv, eq + 1, 1);
		}
		free(kv);
	}
}

static void exec_lms(const char *const *argv)
{
	const char *args[32] = {harness_lms_bin()};
	size_t n = 1;

	char seed_dir[PATH_MAX];

	for (; argv && *argv && n < 31; argv++)
		args[n++] = *argv;
	args[n] = NULL;
	/* The data lms seed loads, unless the test names other data. */
	snprintf(seed_dir, sizeof(seed_dir), "%s/app/seed/data", harness_source_dir());
	setenv("LMS_SEED_DIR", seed_dir, 0);
	execv(args[0], (char *const *)args);
	fprintf(stderr, "harness: exec %s: %s\n", args[0], strerror(errno));
	_exit(127);
}

int harness_lms_run(const char *const *argv, const char *const *env, char *out, size_t outlen)
{
	int fds[2], status = -1;
	size_t used = 0;
	double deadline = harness_now() + 120;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		apply_env(env);
		exec_lms(argv);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = {fds[0], POLLIN, 0};
		char buf[4096];
		ssize_t n;

		if (harness_now() > deadline) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((n = read(fds[0], buf, sizeof(buf))) <= 0)
			break;
		if (out && used + 1 < outlen) {
			size_t take = (size_t)n < outlen - used - 1 ? (size_t)n : outlen - used - 1;
			memcpy(out + used, buf, take);
			used += take;
		}
	}
	if (out && outlen)
		out[used] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int harness_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int harness_migrate(const char *conninfo)
{
	char env_db[1100], env_mig[PATH_MAX + 32], out[8192];
	const char *env[] = {env_db, env_mig, NULL};
	const char *argv[] = {"migrate", NULL};
	int rc;

	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	if ((rc = harness_lms_run(argv, env, out, sizeof(out))) != 0) {
		fprintf(stderr, "harness: lms migrate exited %d:\n%s\n", rc, out);
		return -1;
	}
	return 0;
}

void harness_server_dump_log(const struct lms_server *s)
{
	FILE *f = fopen(s->log_path, "r");
	char line[4096];

	fprintf(stderr, "---- lms log (%s) ----\n", s->log_path);
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fprintf(stderr, "---- end of lms log ----\n");
	if (f)
		fclose(f);
}

int harness_server_start(struct lms_server *s, const char *conninfo, const char *const *env)
{
	char port[16], src_static[PATH_MAX], src_migrations[PATH_MAX];
	double deadline;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/lms-test-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->log_path, sizeof(s->log_path), "%s/lms.log", s->dir);
	snprintf(s->cert_path, sizeof(s->cert_path), "%s/tls/dev-cert.pem", s->dir);
	snprintf(s->conninfo, sizeof(s->conninfo), "%s", conninfo);
	snprintf(src_static, sizeof(src_static), "%s/static", harness_source_dir());
	snprintf(src_migrations, sizeof(src_migrations), "%s/migrations", harness_source_dir());
	if ((s->port = harness_free_port()) < 0)
		return -1;
	snprintf(port, sizeof(port), "%d", s->port);

	if ((s->pid = fork()) == 0) {
		int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const char *argv[] = {"serve", NULL};

		if (fd < 0 || chdir(s->dir) != 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		setenv("LMS_DATABASE_URL", conninfo, 1);
		setenv("LMS_HTTPS_PORT", port, 1);
		setenv("LMS_DATA_DIR", s->dir, 1);
		setenv("LMS_STATIC_DIR", src_static, 1);
		setenv("LMS_MIGRATIONS_DIR", src_migrations, 1);
		setenv("LMS_PASSWORD_HASH_ITERATIONS", "1000", 1);
		setenv("LMS_WORKER_THREADS", "16", 1);
		/* Every test client is 127.0.0.1; the throttle test sets its own. */
		setenv("LMS_REGISTER_PER_ADDRESS", "100000", 1);
		/* Tests stop servers all the time; the drain test sets its own. */
		setenv("LMS_SHUTDOWN_GRACE_MS", "0", 1);
		apply_env(env);
		exec_lms(argv);
	}
	if (s->pid < 0)
		return -1;

	deadline = harness_now() + 60;
	while (harness_now() < deadline) {
		struct http_result r = {0};
		int status;

		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "harness: lms exited during start-up (status %d)\n", status);
			harness_server_dump_log(s);
			s->pid = 0;
			return -1;
		}
		if (access(s->cert_path, R_OK) == 0 &&
		    harness_request_once(s, "GET", "/healthz", NULL, NULL, &r) == 0 && r.status == 200) {
			http_result_release(&r);
			return 0;
		}
		http_result_release(&r);
		pause_ms(50);
	}
	fprintf(stderr, "harness: lms did not become healthy within 60 s\n");
	harness_server_dump_log(s);
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
	return -1;
}

static int remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 32];
	/* Test scratch only: a fixed /tmp/lms-test-* path made by mkdtemp. */
	if (strncmp(dir, "/tmp/lms-test-", 14) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int harness_server_wait(struct lms_server *s, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;
	int status = 0, rc = -1;

	if (s->curl) {
		curl_easy_cleanup(s->curl);
		s->curl = NULL;
	}
	if (s->pid <= 0)
		return -1;
	while (harness_now() < deadline) {
		pid_t w = waitpid(s->pid, &status, WNOHANG);
		if (w == s->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		pause_ms(20);
	}
	if (rc < 0) {
		fprintf(stderr, "harness: lms did not stop within %d ms\n", timeout_ms);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
	if (rc != 0)
		harness_server_dump_log(s);
	else
		remove_tree(s->dir);
	return rc;
}

int harness_server_stop(struct lms_server *s)
{
	if (s->pid > 0)
		kill(s->pid, SIGTERM);
	return harness_server_wait(s, 60000);
}

struct buf {
	char *data;
	size_t len, cap;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;

	/* Doubling: a body of many megabytes arrives in pieces of a TLS
	 * record, and growing by each piece would copy it over and over. */
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(grown = realloc(b->data, cap)))
			return 0;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static int perform(void *curl, const struct lms_server *s, const char *method, const char *path,
		   const char *const *headers, const char *body, struct http_result *out)
{
	char url[2048], resolve[64];
	struct curl_slist *hdrs = NULL, *res_list = NULL;
	struct buf b = {0}, h = {0};
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "https://localhost:%d%s", s->port, path);
	snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", s->port);
	res_list = curl_slist_append(NULL, resolve);
	for (; headers && *headers; headers++)
		hdrs = curl_slist_append(hdrs, *headers);

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_RESOLVE, res_list);
	curl_easy_setopt(curl, CURLOPT_CAINFO, s->cert_path);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
	/* HTTPGET resets whatever a previous request on this handle set up
	 * (POST mode, NOBODY); then the method and body of this one. */
	curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
			 strcmp(method, "GET") && strcmp(method, "HEAD") ? method : NULL);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hdrs);
	curl_slist_free_all(res_list);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_RESOLVE, NULL);
	out->body = b.data ? b.data : strdup("");
	out->len = b.len;
	out->headers = h.data ? h.data : strdup("");
	if (rc != CURLE_OK) {
		fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

int harness_request(struct lms_server *s, const char *method, const char *path,
		    const char *const *headers, const char *body, struct http_result *out)
{
	if (!s->curl && !(s->curl = curl_easy_init()))
		return -1;
	return perform(s->curl, s, method, path, headers, body, out);
}

int harness_request_once(const struct lms_server *s, const char *method, const char *path,
			 const char *const *headers, const char *body, struct http_result *out)
{
	CURL *curl = curl_easy_init();
	int rc;

	if (!curl)
		return -1;
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
	rc = perform(curl, s, method, path, headers, body, out);
	curl_easy_cleanup(curl);
	return rc;
}

void http_result_release(struct http_result *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

const char *http_result_header(const struct http_result *r, const char *name, char *buf,
			       size_t len)
{
	size_t n = strlen(name);

	for (const char *p = r->headers; p && *p;) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			break;
		if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(buf, len, "%.*s", (int)(eol - v), v);
			return buf;
		}
		p = eol + 2;
	}
	return NULL;
}

static SSL *tls_connect(const struct lms_server *s, SSL_CTX *ctx, int *fd_out)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {5, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	SSL *ssl;

	*fd_out = fd;
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!(ssl = SSL_new(ctx)))
		return NULL;
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	return ssl;
}

int harness_raw_tls(const struct lms_server *s, const void *req, size_t len, char *out,
		    size_t outlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int fd = -1, n, used = 0;

	if (!ctx)
		return -1;
	if (!(ssl = tls_connect(s, ctx, &fd))) {
		used = -1;
		goto out;
	}
	if (SSL_write(ssl, req, (int)len) != (int)len) {
		used = -1;
		goto out_ssl;
	}
	while ((size_t)used + 1 < outlen &&
	       (n = SSL_read(ssl, out + used, (int)(outlen - (size_t)used - 1))) > 0)
		used += n;
	out[used] = '\0';
out_ssl:
	SSL_free(ssl);
out:
	ERR_clear_error();
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return used;
}

int harness_tls_handshake(const struct lms_server *s, int min_version, int max_version,
			  const char *ciphers)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int fd = -1, rc;

	if (!ctx)
		return -1;
	/* Level 0 lets this client offer what a careless one would; the test
	 * is whether the server takes it. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, min_version);
	SSL_CTX_set_max_proto_version(ctx, max_version);
	if (ciphers && SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
		SSL_CTX_free(ctx);
		return -1;
	}
	ssl = tls_connect(s, ctx, &fd);
	rc = ssl ? 1 : 0;
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int harness_raw_status(const char *raw)
{
	int status;
	if (sscanf(raw, "HTTP/1.%*d %d", &status) == 1)
		return status;
	return -1;
}

int harness_seed_demo(const char *conninfo)
{
	char env_db[1100], env_mig[PATH_MAX + 32], out[8192];
	const char *env[] = {env_db, env_mig, "LMS_PASSWORD_HASH_ITERATIONS=1000", NULL};
	const char *argv[] = {"seed", "--demo", NULL};
	int rc;

	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	if ((rc = harness_lms_run(argv, env, out, sizeof(out))) != 0) {
		fprintf(stderr, "harness: lms seed --demo exited %d:\n%s\n", rc, out);
		return -1;
	}
	return 0;
}

int harness_login(struct lms_server *s, const char *email, const char *password,
		  struct harness_actor *a)
{
	struct http_result r = {0};
	json_t *req = json_pack("{s:s, s:s}", "email", email, "password", password), *body;
	char *text = json_dumps(req, JSON_COMPACT), cookie[256];
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (text && harness_as(s, NULL, "POST", "/api/v1/auth/login", text, &r) == 0) {
		rc = (int)r.status;
		if (r.status == 200 && http_result_header(&r, "Set-Cookie", cookie, sizeof(cookie)) &&
		    (body = json_loads(r.body, 0, NULL))) {
			cookie[strcspn(cookie, ";")] = '\0';
			snprintf(a->cookie, sizeof(a->cookie), "%s", cookie);
			snprintf(a->csrf, sizeof(a->csrf), "%s",
				 json_string_value(json_object_get(body, "csrf_token")));
			a->user_id = json_integer_value(
				json_object_get(json_object_get(body, "user"), "id"));
			json_decref(body);
			rc = 0;
		}
	}
	http_result_release(&r);
	free(text);
	json_decref(req);
	return rc;
}

int harness_as(const struct lms_server *s, const struct harness_actor *a, const char *method,
	       const char *path, const char *body, struct http_result *out)
{
	char cookie[300], csrf[96], bearer[128];
	const char *headers[4] = {NULL};
	int n = 0;

	if (body)
		headers[n++] = "Content-Type: application/json";
	if (a && a->token[0]) {
		snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", a->token);
		headers[n++] = bearer;
	} else if (a && a->cookie[0]) {
		snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
		headers[n++] = cookie;
		headers[n++] = csrf;
	}
	return harness_request_once(s, method, path, headers, body, out);
}

long long harness_token_create(const struct lms_server *s, const struct harness_actor *creator,
			       long long institution_id, const char *name, const char *scopes,
			       struct harness_actor *out)
{
	char body[512];
	struct http_result r = {0};
	long long id = -1;
	json_t *j = NULL;

	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"%s\", \"scopes\": [%s]}",
		 institution_id, name, scopes);
	if (harness_as(s, creator, "POST", "/api/v1/tokens", body, &r) == 0 && r.status == 201 &&
	    (j = json_loads(r.body, 0, NULL))) {
		id = json_integer_value(json_object_get(j, "id"));
		if (out) {
			memset(out, 0, sizeof(*out));
			snprintf(out->token, sizeof(out->token), "%s",
				 json_string_value(json_object_get(j, "token")));
		}
	} else {
		fprintf(stderr, "harness: POST /api/v1/tokens %s: %ld %s\n", body, r.status,
			r.body ? r.body : "");
	}
	json_decref(j);
	http_result_release(&r);
	return id;
}

long harness_status_as(const struct lms_server *s, const struct harness_actor *a,
		       const char *method, const char *path, const char *body)
{
	struct http_result r = {0};
	long status = -1;

	if (harness_as(s, a, method, path, body, &r) == 0)
		status = r.status;
	http_result_release(&r);
	return status;
}

int harness_learners_create(const char *conninfo, const char *prefix, const char *stage, int n,
			    struct harness_actor *actors)
{
	/* The digests as one text[] literal: n x (64 hex + a comma) and braces. */
	size_t cap = (size_t)n * (SECRET_HEX_LEN + 1) + 3, used = 0;
	char *hashes = malloc(cap);
	PGconn *c = NULL;
	PGresult *r = NULL;
	int rc = -1;

	if (!hashes || n < 1)
		goto out;
	hashes[used++] = '{';
	for (int i = 0; i < n; i++) {
		char token[SECRET_B64_LEN + 1];

		memset(&actors[i], 0, sizeof(actors[i]));
		if (secret_token_new("", token, sizeof(token)) < 0)
			goto out;
		snprintf(actors[i].cookie, sizeof(actors[i].cookie), "%s=%s", SESSION_COOKIE, token);
		session_csrf_token(token, actors[i].csrf);
		if (i)
			hashes[used++] = ',';
		secret_sha256_hex(token, strlen(token), hashes + used);
		used += SECRET_HEX_LEN;
	}
	hashes[used++] = '}';
	hashes[used] = '\0';

	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: connect: %s", PQerrorMessage(c));
		goto out;
	}
	/* Every user holds "learner"; the password hash is one no password
	 * matches, so these accounts exist only through the sessions here. */
	r = PQexecParams(
		c,
		"WITH t AS (SELECT h, i FROM unnest($1::text[]) WITH ORDINALITY AS t(h, i)),"
		" u AS (INSERT INTO users (email, password_hash, display_name, ladder_stage,"
		"  email_verified_at)"
		"  SELECT $2 || t.i || '@example.com', '!', 'Learner ' || t.i, $3::ladder_stage,"
		"  now()"
		"  FROM t RETURNING id, email),"
		" ut AS (SELECT u.id, t.h, t.i FROM u JOIN t ON u.email = $2 || t.i || '@example.com'),"
		" r AS (INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM ut),"
		" s AS (INSERT INTO auth_sessions (token_hash, user_id, expires_at)"
		"  SELECT decode(h, 'hex'), id, now() + interval '1 day' FROM ut)"
		" SELECT id FROM ut ORDER BY i",
		3, NULL, (const char *const[]){hashes, prefix, stage}, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != n) {
		fprintf(stderr, "harness: creating %d learners (%s): %s", n, prefix,
			PQerrorMessage(c));
		goto out;
	}
	for (int i = 0; i < n; i++)
		actors[i].user_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	rc = 0;
out:
	PQclear(r);
	PQfinish(c);
	free(hashes);
	return rc;
}

json_t *harness_json_as(const struct lms_server *s, const struct harness_actor *a,
			const char *method, const char *path, const char *body, long want)
{
	struct http_result r = {0};
	json_t *j = NULL;

	if (harness_as(s, a, method, path, body, &r) != 0)
		fail_msg("%s %s: no response", method, path);
	if (r.status != want)
		fail_msg("%s %s %s: expected %ld, got %ld: %s", method, path, body ? body : "", want,
			 r.status, r.body ? r.body : "");
	if (r.len)
		j = harness_json_body(&r);
	http_result_release(&r);
	return j;
}

void harness_problem_as(const struct lms_server *s, const struct harness_actor *a,
			const char *method, const char *path, const char *body, long want,
			const char *code, const char *field)
{
	json_t *j = harness_json_as(s, a, method, path, body, want), *e;
	const char *got = json_string_value(json_object_get(j, "code"));
	bool named = false;
	size_t i;

	if (!got || strcmp(got, code) != 0)
		fail_msg("%s %s %s: expected code %s, got %s", method, path, body ? body : "", code,
			 got ? got : "none");
	json_array_foreach(json_object_get(j, "errors"), i, e)
		named |= field && json_is_string(json_object_get(e, "field")) &&
			 !strcmp(json_string_value(json_object_get(e, "field")), field);
	if (field && !named)
		fail_msg("%s %s %s: the errors do not name %s", method, path, body ? body : "",
			 field);
	json_decref(j);
}

long long harness_json_ll(const json_t *obj, const char *name)
{
	const json_t *v = json_object_get(obj, name);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", name);
	return json_integer_value(v);
}

void harness_login_ok(struct lms_server *s, const char *email, const char *password,
		      struct harness_actor *a)
{
	if (harness_login(s, email, password, a) != 0)
		fail_msg("cannot sign in as %s", email);
}

int harness_email_verify(const char *conninfo, const char *email)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = NULL;
	int rc = -1;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: connect: %s", PQerrorMessage(c));
		goto out;
	}
	r = PQexecParams(c,
			 "UPDATE users SET email_verified_at = coalesce(email_verified_at, now())"
			 " WHERE lower(email) = lower($1)",
			 1, NULL, (const char *const[]){email}, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdTuples(r), "1"))
		rc = 0;
	else
		fprintf(stderr, "harness: verifying %s: %s", email, PQerrorMessage(c));
out:
	PQclear(r);
	PQfinish(c);
	return rc;
}

void harness_register_ok(struct lms_server *s, const char *email, const char *password,
			 const char *fields, struct harness_actor *a)
{
	char body[1024];
	long st;

	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"%s\", %s, %s}", email,
		 password, fields, HARNESS_CONSENT);
	if ((st = harness_status_as(s, NULL, "POST", "/api/v1/auth/register", body)) != 201)
		fail_msg("register %s: %ld", email, st);
	/* As if the link in the verification mail had been opened: unverified
	 * addresses may not enrol, and the tests that register mostly enrol. */
	if (harness_email_verify(s->conninfo, email) != 0)
		fail_msg("register %s: cannot mark the address verified", email);
	harness_login_ok(s, email, password, a);
}

int harness_affiliate(const char *conninfo, long long user_id, long long institution_id)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO affiliation_claims (user_id, institution_id, status, verified_by,"
		 " decided_at) VALUES (%lld, %lld, 'approved', 'admin', now());"
		 " UPDATE users SET affiliation_institution_id = %lld WHERE id = %lld",
		 user_id, institution_id, institution_id, user_id);
	return harness_sql(conninfo, sql);
}

void harness_get_as(const struct lms_server *s, const struct harness_actor *a, const char *path,
		    struct http_result *out)
{
	if (harness_as(s, a, "GET", path, NULL, out) != 0)
		fail_msg("GET %s: no response", path);
}

json_t *harness_get_json(const struct lms_server *s, const struct harness_actor *a,
			 const char *path)
{
	struct http_result r = {0};
	json_t *j;

	harness_get_as(s, a, path, &r);
	if (r.status != 200)
		fail_msg("GET %s: expected 200, got %ld: %s", path, r.status, r.body);
	j = harness_json_body(&r);
	http_result_release(&r);
	return j;
}

/* Runs the INSERT ... RETURNING id sql with n text parameters (NULL is SQL
 * NULL) on conninfo; fails the test unless it gives an id. */
static long long insert_id(const char *conninfo, const char *sql, int n, const char *const *values)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = NULL;
	long long id = -1;

	if (PQstatus(c) == CONNECTION_OK)
		r = PQexecParams(c, sql, n, NULL, values, NULL, NULL, 0);
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	if (id < 0)
		fail_msg("insert failed: %s", sql);
	return id;
}

/* v, or def when v is NULL. */
static const char *or_default(const char *v, const char *def)
{
	return v ? v : def;
}

long long harness_course_create(const char *conninfo, const struct harness_course *c)
{
	char inst[24], ko[128], en[128];
	const char *values[7] = {inst, or_default(c->program, "online"), c->code,
				 or_default(c->title_ko, ko), or_default(c->title_en, en),
				 or_default(c->delivery, "online"), c->draft ? "false" : "true"};

	snprintf(inst, sizeof(inst), "%lld", c->institution);
	snprintf(ko, sizeof(ko), "강좌 %s", c->code);
	snprintf(en, sizeof(en), "Course %s", c->code);
	return insert_id(conninfo,
			 "INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
			 " delivery, published) VALUES ($1, (SELECT id FROM programs WHERE code ="
			 " $2), $3, $4, $5, $6, $7) RETURNING id",
			 7, values);
}

long long harness_section_create(const char *conninfo, const struct harness_section *s)
{
	char course[24], capacity[16];
	const char *values[8] = {course,
				 or_default(s->term, "2026-1"),
				 or_default(s->starts_on, "2026-03-02"),
				 or_default(s->ends_on, "2026-06-30"),
				 capacity,
				 or_default(s->opens_at, "2026-01-01"),
				 or_default(s->closes_at, "2026-03-01"),
				 or_default(s->status, "open")};

	snprintf(course, sizeof(course), "%lld", s->course);
	snprintf(capacity, sizeof(capacity), "%d", s->capacity ? s->capacity : 30);
	return insert_id(conninfo,
			 "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			 " enrollment_opens_at, enrollment_closes_at, status) VALUES ($1, $2, $3,"
			 " $4, $5, $6, $7, $8) RETURNING id",
			 8, values);
}

long long harness_enrollment_create(const char *conninfo, const struct harness_enrollment *e)
{
	char section[24], user[24];
	const char *values[5] = {user, section, or_default(e->status, "enrolled"), e->statement,
				 e->created_at};

	snprintf(section, sizeof(section), "%lld", e->section);
	snprintf(user, sizeof(user), "%lld", e->user);
	return insert_id(conninfo,
			 "INSERT INTO enrollments (user_id, section_id, status, statement,"
			 " created_at) VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()))"
			 " RETURNING id",
			 5, values);
}

long harness_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void *rss_watch_run(void *arg)
{
	struct harness_rss_watch *w = arg;

	while (!atomic_load(&w->stop)) {
		long kb = harness_rss_kb(w->pid);

		if (kb > w->peak_kb)
			w->peak_kb = kb;
		w->samples++;
		pause_ms(2);
	}
	return NULL;
}

int harness_rss_watch_start(struct harness_rss_watch *w, pid_t pid, long from_kb)
{
	w->pid = pid;
	w->peak_kb = from_kb;
	w->samples = 0;
	atomic_init(&w->stop, false);
	return pthread_create(&w->thread, NULL, rss_watch_run, w) == 0 ? 0 : -1;
}

void harness_rss_watch_stop(struct harness_rss_watch *w)
{
	atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
}
