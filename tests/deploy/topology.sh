#!/usr/bin/env bash
# topology.sh - the production topology on one machine, end to end: a
# PostgreSQL primary, a streaming replica made by pg_basebackup -R, PgBouncer
# in transaction pooling, two lms instances and nginx in front with the
# configuration of deploy/nginx/; every database connection over TCP is TLS
# with sslmode=verify-full. Main flows go through nginx; then one
# instance is drained with SIGTERM and the other killed with SIGKILL while
# enrolments are being made, and the database must hold every acknowledged
# enrolment and no section over its capacity.
#
#   LMS_TEST_BIN=build/lms LMS_TEST_SOURCE_DIR=. bash tests/deploy/topology.sh
#
# Everything runs on free loopback ports in a scratch directory that is
# removed on every exit (LMS_TOPOLOGY_KEEP=1 keeps it for a look). Run as
# root, the databases and PgBouncer run as the user "postgres".
set -euo pipefail

bin=$(realpath "${LMS_TEST_BIN:?path of the lms binary}")
src=$(realpath "${LMS_TEST_SOURCE_DIR:?path of the source tree}")
pgbin=${LMS_PG_BINDIR:-/usr/lib/postgresql/15/bin}
learners=160 # enrolling during the failures, in two waves
seats=70     # of the section they enrol in
grace_ms=2000

for tool in nginx pgbouncer curl jq openssl ss "$pgbin/initdb" "$pgbin/pg_basebackup"; do
	command -v "$tool" >/dev/null || { echo "topology: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /tmp/lms-topology-XXXXXX)
chmod 755 "$work"
pids=()

log() { printf 'topology: %3d s  %s\n' "$SECONDS" "$*"; }
fail() {
	printf 'topology: FAILED: %s\n' "$*" >&2
	exit 1
}

# Everything started is stopped on every way out, the clusters last.
cleanup() {
	local rc=$? p alive
	trap - EXIT INT TERM
	# Whatever fails here, the rest must still run.
	set +e
	# SIGTERM first, so that nginx's master takes its workers along and
	# runuser passes it on to PgBouncer; twice, so lms skips its grace.
	for p in "${pids[@]}" $(cat "$work/pgbouncer/pgbouncer.pid" 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	done
	for _ in $(seq 1 100); do
		alive=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	for d in replica primary; do
		[ -f "$work/$d/postmaster.pid" ] &&
			as_pg "$pgbin/pg_ctl" -D "$work/$d" -m immediate -w -t 30 stop >/dev/null 2>&1
	done
	if [ $rc -ne 0 ]; then
		for f in "$work"/*.log "$work"/pgbouncer/pgbouncer.log "$work"/nginx/error.log; do
			[ -f "$f" ] && { echo "--- tail of $f"; tail -n 30 "$f"; }
		done >&2
	fi
	[ "${LMS_TOPOLOGY_KEEP:-0}" = 1 ] && log "kept $work" || rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL and PgBouncer refuse to run as root.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A port nothing listens on and this run has not handed out yet.
taken=" "
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case "$taken" in *" $p "*) continue ;; esac
		[ -z "$(ss -Htan "sport = :$p")" ] && { taken+="$p "; echo "$p"; return 0; }
	done
	fail "no free port found"
}

# until_true SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds, for at most SECONDS.
until_true() {
	local seconds=$1 what=$2 end=$((SECONDS + $1))
	shift 2
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || fail "$what: not within $seconds s"
		sleep 0.1
	done
}

pg_port=$(free_port)
replica_port=$(free_port)
bouncer_port=$(free_port)
a_port=$(free_port)
b_port=$(free_port)
nginx_port=$(free_port)
http_port=$(free_port)
owner_pw=owner-$RANDOM$RANDOM
app_pw=app-$RANDOM$RANDOM
repl_pw=repl-$RANDOM$RANDOM
# Every connection over TCP is TLS, checked against the database's
# certificate under the address it is reached at (sslmode=verify-full).
tls_db="sslmode=verify-full sslrootcert=$work/tls/db.pem"
owner_url="host=127.0.0.1 port=$pg_port dbname=lms user=lms_owner password=$owner_pw $tls_db"
app_direct="host=127.0.0.1 port=$pg_port dbname=lms user=lms_app password=$app_pw $tls_db"
app_bouncer="host=127.0.0.1 port=$bouncer_port dbname=lms user=lms_app password=$app_pw $tls_db"
app_replica="host=127.0.0.1 port=$replica_port dbname=lms user=lms_app password=$app_pw $tls_db"
sock="$work/sock"

# psql as the superuser over the socket, or as a role over TCP.
su_sql() { as_pg psql -qAtX -v ON_ERROR_STOP=1 -h "$sock" -p "$pg_port" -U postgres "$@"; }
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$owner_url" "$@"; }
replica_sql() { psql -qAtX -v ON_ERROR_STOP=1 "$app_replica" "$@"; }

# --- certificates: one for clients of nginx, one the instances share ---

mkdir -p "$work/tls"
cert() { # NAME CN SAN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$2" -addext "subjectAltName=$3" \
		-keyout "$work/tls/$1.key" -out "$work/tls/$1.pem" 2>/dev/null
}
cert front lms.example.org DNS:lms.example.org
cert upstream lms-upstream.internal DNS:lms-upstream.internal
cert db db.internal DNS:db.internal,IP:127.0.0.1
cp "$work/tls/front.pem" "$work/tls/fullchain.pem"
cp "$work/tls/front.key" "$work/tls/privkey.pem"
cp "$work/tls/upstream.pem" "$work/tls/upstream-ca.pem"
chmod 644 "$work"/tls/*

# --- the primary, its roles as docs/operations.md creates them ---

log "primary on $pg_port"
mkdir -p "$sock"
chmod 777 "$sock"
[ "$(id -u)" -ne 0 ] || chown postgres "$work"
as_pg "$pgbin/initdb" -D "$work/primary" -U postgres --auth-local=trust \
	--auth-host=scram-sha-256 >"$work/initdb.log" 2>&1
cat >"$work/primary/pg_hba.conf" <<EOF
local all postgres trust
hostssl lms lms_owner,lms_app 127.0.0.1/32 scram-sha-256
hostssl replication replicator 127.0.0.1/32 scram-sha-256
EOF
# The server's key must be the server user's alone.
cp "$work/tls/db.pem" "$work/tls/db.key" "$work/primary/"
[ "$(id -u)" -ne 0 ] || chown postgres "$work/primary/db.pem" "$work/primary/db.key"
chmod 600 "$work/primary/db.key"
cat >>"$work/primary/postgresql.conf" <<EOF
ssl = on
ssl_cert_file = 'db.pem'
ssl_key_file = 'db.key'
ssl_min_protocol_version = 'TLSv1.2'
EOF
as_pg "$pgbin/pg_ctl" -D "$work/primary" -w -t 60 -l "$work/primary.log" \
	-o "-p $pg_port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=60" start >/dev/null

su_sql <<EOF
CREATE ROLE lms_owner LOGIN PASSWORD '$owner_pw';
CREATE DATABASE lms OWNER lms_owner;
REVOKE ALL ON DATABASE lms FROM PUBLIC;
CREATE ROLE replicator LOGIN REPLICATION PASSWORD '$repl_pw';
EOF

export LMS_DATABASE_URL="$owner_url"
export LMS_MIGRATIONS_DIR="$src/migrations" LMS_STATIC_DIR="$src/static" LMS_SEED_DIR="$src/app/seed/data"
export LMS_DATA_DIR="$work/data" LMS_LOG_LEVEL=info

# Without lms_app and without CREATEROLE, migrate stops before it starts.
if "$bin" migrate >"$work/migrate.log" 2>&1; then fail "migrate ran without the role lms_app"; fi
grep -q "the role lms_app does not exist and lms_owner may not create it" "$work/migrate.log" ||
	fail "migrate did not say how to get lms_app: $(cat "$work/migrate.log")"
[ "$(sql -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] ||
	fail "migrate left tables behind"

su_sql <<EOF
CREATE ROLE lms_app LOGIN PASSWORD '$app_pw';
GRANT CONNECT ON DATABASE lms TO lms_owner, lms_app;
EOF
"$bin" migrate >>"$work/migrate.log" 2>&1 || fail "migrate"
log "migrated; seeding"
# The demo data takes a while: it loads while the rest starts.
{ "$bin" seed --demo && "$bin" seed --bench 3; } >"$work/seed.log" 2>&1 &
seed_pid=$!
pids+=($seed_pid)

# serve with app_database_url empty tries lms_app without a password, and
# says which setting to use.
if timeout 60 "$bin" serve >"$work/serve-hint.log" 2>&1; then fail "serve ran without a password"; fi
grep -q "set LMS_APP_DATABASE_URL" "$work/serve-hint.log" ||
	fail "serve's hint does not name app_database_url: $(cat "$work/serve-hint.log")"

# --- the replica ---

log "replica on $replica_port"
as_pg env PGPASSWORD="$repl_pw" "$pgbin/pg_basebackup" \
	-d "host=127.0.0.1 port=$pg_port user=replicator $tls_db" -U replicator -D "$work/replica" -R -X stream -c fast >/dev/null 2>&1 ||
	fail "pg_basebackup"
as_pg "$pgbin/pg_ctl" -D "$work/replica" -w -t 60 -l "$work/replica.log" \
	-o "-p $replica_port -k $sock -c listen_addresses=127.0.0.1" start >/dev/null
[ "$(replica_sql -c 'SELECT pg_is_in_recovery()')" = t ] || fail "the replica is not in recovery"
until_true 30 "replication streaming" \
	test "$(su_sql -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1

# --- PgBouncer, transaction pooling, in front of the primary ---

log "pgbouncer on $bouncer_port"
mkdir -p "$work/pgbouncer"
printf '"lms_app" "%s"\n' "$app_pw" >"$work/pgbouncer/userlist.txt"
cat >"$work/pgbouncer/pgbouncer.ini" <<EOF
[databases]
lms = host=127.0.0.1 port=$pg_port dbname=lms
[pgbouncer]
client_tls_sslmode = require
client_tls_cert_file = $work/tls/db.pem
client_tls_key_file = $work/tls/db.key
server_tls_sslmode = verify-full
server_tls_ca_file = $work/tls/db.pem
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $work/pgbouncer/userlist.txt
stats_users = lms_app
pool_mode = transaction
max_client_conn = 200
default_pool_size = 12
max_db_connections = 24
logfile = $work/pgbouncer/pgbouncer.log
pidfile = $work/pgbouncer/pgbouncer.pid
EOF
chmod -R a+rX "$work/pgbouncer"
[ "$(id -u)" -ne 0 ] || chown postgres "$work/pgbouncer"
as_pg pgbouncer "$work/pgbouncer/pgbouncer.ini" 2>/dev/null &
pids+=($!)
until_true 30 "pgbouncer" psql -qAtX "$app_bouncer" -c "SELECT 1"

# --- two lms instances: requests through PgBouncer, LISTEN direct, reports
# from the replica (the last two are ignored by a build without them) ---

mkdir -p "$work/data"
export LMS_APP_DATABASE_URL="$app_bouncer" LMS_LISTEN_DATABASE_URL="$app_direct"
export LMS_DB_PREPARED_STATEMENTS=no
export LMS_REPORT_DATABASE_URL="$app_replica"
export LMS_LISTEN_ADDRESS=127.0.0.1 LMS_TRUSTED_PROXIES=127.0.0.1
export LMS_TLS_CERT="$work/tls/upstream.pem" LMS_TLS_KEY="$work/tls/upstream.key"
export LMS_SHUTDOWN_GRACE_MS=$grace_ms LMS_WORKER_THREADS=64 LMS_DB_POOL_SIZE=4
export LMS_REPORT_POOL_SIZE=1
if "$bin" config 2>/dev/null | grep -q '^report_database_url'; then
	log "this build reads reports from the replica"
else
	log "this build has no report_database_url: reports come from the primary"
fi

declare -A lms_pid lms_port=([a]=$a_port [b]=$b_port)
lms_launch() { # NAME
	LMS_HTTPS_PORT=${lms_port[$1]} "$bin" serve 2>>"$work/lms-$1.log" &
	lms_pid[$1]=$!
	pids+=($!)
}
lms_ready() { # NAME
	until_true 90 "lms $1 ready" curl -sf --max-time 2 --cacert "$work/tls/upstream.pem" \
		--resolve "lms-upstream.internal:${lms_port[$1]}:127.0.0.1" \
		"https://lms-upstream.internal:${lms_port[$1]}/readyz"
}
lms_start() { lms_launch "$1" && lms_ready "$1"; }
wait "$seed_pid" || fail "seed"
log "seeded; lms a on $a_port, b on $b_port"
lms_launch a
lms_launch b
lms_ready a
lms_ready b

# --- nginx with the shipped configuration, pointed at this run ---

log "nginx on $nginx_port"
mkdir -p "$work/nginx/temp"
sed -e "s|/etc/ssl/lms/|$work/tls/|" -e "s|/etc/nginx/snippets/|$work/nginx/|" \
	-e "s|/srv/lms/static|$src/static|" \
	-e "s|listen 443 ssl http2;|listen 127.0.0.1:$nginx_port ssl http2;|" \
	-e "s|listen 80;|listen 127.0.0.1:$http_port;|" -e '/listen \[::\]/d' \
	-e "s|server 10.0.1.11:8443|server 127.0.0.1:$a_port|" \
	-e "s|server 10.0.1.12:8443|server 127.0.0.1:$b_port|" \
	"$src/deploy/nginx/lms.conf" >"$work/nginx/lms.conf"
for f in lms-proxy.conf lms-headers.conf; do
	sed -e "s|/etc/ssl/lms/|$work/tls/|" "$src/deploy/nginx/$f" >"$work/nginx/$f"
done
! grep -q '10\.0\.1\.\|/etc/ssl\|/srv/lms\|/etc/nginx/snippets\|:443 ' "$work"/nginx/*.conf ||
	fail "deploy/nginx changed: this test no longer knows how to point it at its ports"
cat >"$work/nginx/nginx.conf" <<EOF
$([ "$(id -u)" -eq 0 ] && echo "user root;")
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log info;
events { worker_connections 1024; }
http {
	access_log $work/nginx/access.log;
	client_body_temp_path $work/nginx/temp/body;
	proxy_temp_path $work/nginx/temp/proxy;
	fastcgi_temp_path $work/nginx/temp/fastcgi;
	uwsgi_temp_path $work/nginx/temp/uwsgi;
	scgi_temp_path $work/nginx/temp/scgi;
	include /etc/nginx/mime.types;
	include $work/nginx/lms.conf;
}
EOF
nginx -t -q -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx-t.log" ||
	fail "nginx -t: $(cat "$work/nginx-t.log")"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>>"$work/nginx/error.log" &
pids+=($!)
front="https://lms.example.org:$nginx_port"
# Clients come from 127.0.0.2, nginx reaches lms from 127.0.0.1 (the one
# trusted proxy): lms must see 127.0.0.2.
web() {
	curl -s --max-time 20 --interface 127.0.0.2 --cacert "$work/tls/fullchain.pem" \
		--resolve "lms.example.org:$nginx_port:127.0.0.1" "$@"
}
until_true 30 "nginx" web -f "$front/healthz"

# --- main flows through nginx ---

. "$src/tests/support/learners.sh"
. "$src/tests/deploy/flows.sh"
flows_static
flows_sign_in_and_enrol
flows_limits
flows_attachment
flows_report

# --- failures under load ---

. "$src/tests/deploy/failures.sh"
failures_prepare
failures_drain a 1 $((learners / 2))
failures_crash b $((learners / 2 + 1)) "$learners"
failures_check

log "passed"
