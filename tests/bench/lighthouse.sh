#!/bin/bash
# lighthouse.sh - Lighthouse (the npm package, driving Debian's Chromium)
# on the catalogue and on a course page, on desktop and on a phone: the
# four scores of each, against the target of 95 in every category.
#
#   bash tests/bench/lighthouse.sh [RUNS]   # default 1 run per page and form factor
#
# Writes each report as JSON (and HTML) under /tmp/lms-bench-lighthouse/;
# prints one line per page and form factor; exits 1 when a score is below
# 95 (LMS_LIGHTHOUSE_MIN overrides the target).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh

runs=${1:-1}
min=${LMS_LIGHTHOUSE_MIN:-95}
work=/tmp/lms-bench-lighthouse
port=9651
lighthouse_version=13.5.0
tools=build-bench/lighthouse-$lighthouse_version

bench_require chromium fonts-nanum
# npm may come with a node of its own rather than as Debian's package
command -v npm >/dev/null || bench_require nodejs npm
bench_build
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
	mkdir -p "$tools"
	npm install --silent --no-audit --no-fund --prefix "$tools" "lighthouse@$lighthouse_version" >/dev/null
fi
trap bench_stop EXIT
bench_serve "$work" "$port" 100
mkdir -p "$work/reports"
url="https://localhost:$port"
course=$(psql "$conn" -Atc "SELECT c.id FROM courses c JOIN sections s ON s.course_id = c.id
	WHERE c.published ORDER BY (s.status = 'open') DESC, c.id LIMIT 1")

export CHROME_PATH=/usr/bin/chromium
# As in the browser tests: root needs --no-sandbox; the development
# certificate is self-signed.
flags="--headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --disable-background-networking --disable-component-update --disable-sync"
fail=0
printf '%-8s %-8s %5s %5s %5s %5s\n' page form perf a11y best seo
for form in desktop mobile; do
	for page in catalog course; do
		target="$url/"
		[ "$page" = course ] && target="$url/#/courses/$course"
		for run in $(seq 1 "$runs"); do
			out="$work/reports/$page-$form-$run"
			preset=()
			[ "$form" = desktop ] && preset=(--preset=desktop)
			"$tools/node_modules/.bin/lighthouse" "$target" "${preset[@]}" --quiet \
				--chrome-flags="$flags" --output=json --output=html --output-path="$out" \
				--only-categories=performance,accessibility,best-practices,seo
			read -r perf a11y best seo < <(node -e '
				const r = require(process.argv[1]);
				const c = r.categories;
				console.log(["performance", "accessibility", "best-practices", "seo"]
					.map((k) => Math.round(c[k].score * 100)).join(" "));' "$out.report.json")
			printf '%-8s %-8s %5s %5s %5s %5s\n' "$page" "$form" "$perf" "$a11y" "$best" "$seo"
			for s in $perf $a11y $best $seo; do
				[ "$s" -ge "$min" ] || fail=1
			done
		done
	done
done
[ "$fail" = 0 ] || { echo "a score is below $min (reports in $work/reports)" >&2; exit 1; }
