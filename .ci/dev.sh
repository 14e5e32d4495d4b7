#!/usr/bin/env bash
# dev.sh - the README's two commands: "run" builds and serves the platform on
# an embedded PostgreSQL; "test" builds with sanitizers and runs every test.
# Installs the Debian 12 packages (and, for the browser tests, the npm
# packages) it needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	gcc make cmake pkg-config
	libcivetweb-dev civetweb            # civetweb provides the binary the CMake package checks for
	libpq-dev postgresql-15 postgresql-contrib
	libssl-dev libjansson-dev
	libcmark-gfm-dev libcmark-gfm-extensions-dev  # lesson text: GitHub-flavoured Markdown (tables) to safe HTML
	libzip-dev                          # OneRoster export: CSV files in a ZIP archive
	libcairo2-dev libpango1.0-dev       # certificates: the PDF, Korean text shaped by pango
	fonts-nanum                         # certificates: the Korean fonts embedded in the PDF
	libqrencode-dev                     # certificates: the QR code to the verification page
	libarchive-dev                      # certificates: a section's PDFs as a streamed ZIP
	libgmime-3.0-dev                    # outgoing mail: MIME messages, RFC 2047 headers
	libcsv-dev                          # uploaded CSV (bulk enrolment, selection decisions) parsed as it streams
	zlib1g-dev libbrotli-dev            # static files sent gzip- and brotli-compressed
	john-data                           # the common-password list sign-up refuses
	libcmocka-dev libcurl4-openssl-dev  # tests
)
# Only "test" needs them: "run" stays quick on a fresh machine.
test_packages=(
	chromium                            # browser tests, driven by Playwright
	poppler-utils zbar-tools            # certificate tests read the PDF and its QR code back
	clang-14 libclang-rt-14-dev         # fuzz targets: libFuzzer, sanitizer runtimes
	libical-dev                         # calendar tests read our iCalendar with libical
	nginx pgbouncer jq python3          # scale-out tests: the pooler, the proxy, the production topology
	python3-aiosmtpd                    # mail tests: a real SMTP server on localhost
)
command -v node >/dev/null || test_packages+=(nodejs npm)

install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "dev.sh: run as root or install sudo" >&2; exit 1; }
		sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}"
}

# npm's own record of an install (node_modules/.package-lock.json) is
# missing or older than the lock file: install exactly what the lock says.
install_browser_modules() {
	local dir=tests/browser
	[ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
	echo "installing: $dir/node_modules"
	(cd "$dir" && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error)
}

jobs=$(nproc 2>/dev/null || echo 2)

case "${1:-}" in
run)
	install_missing "${packages[@]}"
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLMS_TESTS=OFF >/dev/null
	cmake --build build -j "$jobs"
	build/lms migrate
	build/lms seed --demo --activities --certificates
	exec build/lms serve
	;;
test)
	install_missing "${packages[@]}" "${test_packages[@]}"
	install_browser_modules
	cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DLMS_WERROR=ON -DLMS_SANITIZE=ON >/dev/null
	cmake --build build-test -j "$jobs"
	exec ctest --test-dir build-test --output-on-failure -j "$jobs"
	;;
*)
	echo "usage: bash .ci/dev.sh run|test" >&2
	exit 2
	;;
esac
