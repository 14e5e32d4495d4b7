# lib.sh - what the benchmarks share, sourced by them from the source tree:
# missing tools installed, a RelWithDebInfo build in build-bench/, and an
# lms on fresh data with the demo and benchmark catalogues.

# Installs the Debian packages named that are not installed yet (as root or
# with sudo).
bench_require() {
	local missing=() sudo=() p
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null
	fi
}

bench_build() {
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLMS_TESTS=OFF >/dev/null
	cmake --build build-bench -j "$(nproc)" >/dev/null
}

# bench_serve WORK PORT COURSES: empties WORK, migrates and seeds its
# embedded database (demo data and COURSES benchmark courses), starts
# `lms serve` on PORT in the background and waits until it answers. Sets
# lms_pid, cert (its dev certificate) and conn (a psql conninfo as the
# database owner); bench_stop ends it.
bench_serve() {
	local work=$1 port=$2 courses=$3
	rm -rf "$work"
	mkdir -p "$work"
	chmod 755 "$work"
	export LMS_DATA_DIR="$work/var" LMS_STATIC_DIR="$PWD/static"
	export LMS_MIGRATIONS_DIR="$PWD/migrations" LMS_SEED_DIR="$PWD/app/seed/data"
	export LMS_HTTPS_PORT=$port
	export LMS_ACCESS_LOG=no LMS_LOG_LEVEL=warn
	# No load balancer to warn: stop at once.
	export LMS_SHUTDOWN_GRACE_MS=0
	build-bench/lms migrate >/dev/null
	build-bench/lms seed --demo >/dev/null
	build-bench/lms seed --bench "$courses" >/dev/null

	build-bench/lms serve 2>"$work/lms.log" &
	lms_pid=$!
	cert="$work/var/tls/dev-cert.pem"
	conn="host=$work/var/pgsock dbname=lms user=lms_owner"
	for _ in $(seq 1 300); do
		curl -sf --cacert "$cert" "https://localhost:$port/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$lms_pid" 2>/dev/null || { cat "$work/lms.log"; return 1; }
		sleep 0.1
	done
	echo "lms did not answer within 30 s" >&2
	return 1
}

bench_stop() {
	[ -n "${lms_pid:-}" ] && kill "$lms_pid" 2>/dev/null && wait "$lms_pid" 2>/dev/null
	true
}
