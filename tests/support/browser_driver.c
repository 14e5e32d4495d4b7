/* browser_driver.c - runs one browser spec in node against a real lms on a scratch database */
#include "harness.h"

#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Inside ctest's TIMEOUT of 300 s, with room left to stop the server and
 * print its log; the grace period lets Playwright close its browser. */
enum { SPEC_TIMEOUT_S = 240, SPEC_GRACE_S = 10, SPEC_TIMED_OUT = 124 };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "tests/browser/sign-in.spec.mjs" -> "browser_sign_in": one database per
 * spec, so specs may run side by side and each run starts from scratch. */
static void db_name(const char *spec, char *buf, size_t len)
{
	const char *base = strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec;
	snprintf(buf, len, "browser_%.*s", (int)strcspn(base, "."), base);
	for (size_t i = strlen("browser_"); buf[i]; i++)
		if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= '0' && buf[i] <= '9')))
			buf[i] = '_';
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Empties (or creates) the spec's output folder: the screenshots there are
 * always this run's. Only a folder under a browser-output/ is touched. */
static int output_dir_reset(const char *dir)
{
	int rc = -1;

	if (!strstr(dir, "/browser-output/")) {
		fprintf(stderr, "browser_driver: %s: not under a browser-output/ folder\n", dir);
		goto out;
	}
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT) {
		fprintf(stderr, "browser_driver: cannot empty %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (mkdir_p(dir) != 0) {
		fprintf(stderr, "browser_driver: cannot create %s: %s\n", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* The specs import playwright-core from tests/browser/node_modules. */
static int modules_present(const char *spec)
{
	char copy[PATH_MAX], path[PATH_MAX + 64];

	snprintf(copy, sizeof(copy), "%s", spec);
	snprintf(path, sizeof(path), "%s/node_modules/playwright-core", dirname(copy));
	if (access(path, R_OK) == 0)
		return 0;
	fprintf(stderr,
		"browser_driver: %s is missing: run `bash .ci/dev.sh test` once, or `npm ci` "
		"in tests/browser\n",
		path);
	return -1;
}

/* Waits for node without reaping it, so its process group still exists
 * when we clear out whatever it left behind. Returns 1 when it exited. */
static int exited_by(pid_t pid, double deadline)
{
	const struct timespec tick = {0, 100 * 1000000L};

	while (now_s() < deadline) {
		siginfo_t info = {0};

		if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    info.si_pid == pid)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* Runs `node spec` with the test's environment, bounded by SPEC_TIMEOUT_S.
 * Returns node's exit status, 128 + signal, or SPEC_TIMED_OUT. */
static int spec_run(const char *node, const char *spec, const char *base_url,
		    const char *conninfo, const char *output_dir)
{
	int status = 0, rc = -1;
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		setenv("LMS_BASE_URL", base_url, 1);
		setenv("LMS_TEST_DB", conninfo, 1);
		setenv("LMS_OUTPUT_DIR", output_dir, 1);
		execl(node, node, spec, (char *)NULL);
		fprintf(stderr, "browser_driver: exec %s: %s\n", node, strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "browser_driver: fork: %s\n", strerror(errno));
		goto out;
	}
	setpgid(pid, pid);
	if (!exited_by(pid, now_s() + SPEC_TIMEOUT_S)) {
		fprintf(stderr, "browser_driver: %s still running after %d s: stopping it\n", spec,
			SPEC_TIMEOUT_S);
		kill(pid, SIGTERM);
		if (!exited_by(pid, now_s() + SPEC_GRACE_S))
			kill(-pid, SIGKILL);
		rc = SPEC_TIMED_OUT;
	}
	kill(-pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		goto out;
	if (rc != SPEC_TIMED_OUT)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	return rc;
}

int main(int argc, char **argv)
{
	char db[64], conninfo[1024], base_url[64];
	struct lms_server server = {0};
	double started;
	int rc = 1, node_rc, stop_rc;

	if (argc != 4) {
		fprintf(stderr, "usage: browser_driver NODE SPEC.mjs OUTPUT_DIR\n");
		return 2;
	}
	db_name(argv[2], db, sizeof(db));
	if (modules_present(argv[2]) != 0 || output_dir_reset(argv[3]) != 0 ||
	    harness_db_create(db, conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		goto out;
	snprintf(base_url, sizeof(base_url), "https://localhost:%d", server.port);

	started = now_s();
	node_rc = spec_run(argv[1], argv[2], base_url, conninfo, argv[3]);
	fprintf(stderr, "browser_driver: %s exited %d after %.1f s; screenshots in %s\n", argv[2],
		node_rc, now_s() - started, argv[3]);
	/* The spec's failure may be the server's: show what it logged. */
	if (node_rc != 0)
		harness_server_dump_log(&server);
	if ((stop_rc = harness_server_stop(&server)) != 0)
		fprintf(stderr, "browser_driver: lms exited %d on SIGTERM\n", stop_rc);
	rc = node_rc != 0 ? node_rc : stop_rc != 0;
out:
	return rc;
}
