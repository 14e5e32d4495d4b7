# flows.sh - the main flows of topology.sh, through nginx: the front end as
# lms serves it, sign-in seen from the client's address, catalogue and
# enrolment, nginx's limits, an attachment read back from both instances,
# and a report. Sourced by topology.sh, whose helpers and variables it uses.

# hdr FILE NAME: the value of header NAME in a curl -D dump (last response).
hdr() {
	tr -d '\r' <"$1" | awk -v n="$(echo "$2" | tr 'A-Z' 'a-z')" '
		/^HTTP\// { v = "" }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) v = substr($0, i + 2) }
		END { print v }'
}

# expect WHAT WANT GOT
expect() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# sign_in EMAIL JAR: signs in through nginx; prints the CSRF token.
sign_in() {
	local body
	body=$(web -c "$2" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$1\",\"password\":\"demo-pass-2026\"}" "$front/api/v1/auth/login")
	jq -er .csrf_token <<<"$body" || fail "sign-in of $1: $body"
}

# The session token of a cookie jar, for requests that bypass nginx.
jar_token() {
	awk '$6 == "__Host-lms_session" { print $7 }' "$1"
}

flows_static() {
	local f="$work/flows" path
	mkdir -p "$f"
	log "static files: nginx answers as lms does"
	for path in / /js/main.js /app.css; do
		expect "GET $path through nginx" 200 \
			"$(web -D "$f/front.h" -o "$f/front.b" -w '%{http_code}' "$front$path")"
		curl -s --max-time 20 --cacert "$work/tls/upstream.pem" -D "$f/lms.h" -o "$f/lms.b" \
			--resolve "lms-upstream.internal:$a_port:127.0.0.1" \
			"https://lms-upstream.internal:$a_port$path"
		cmp -s "$f/front.b" "$f/lms.b" || fail "GET $path: nginx and lms send different bytes"
		local h
		for h in Content-Type Cache-Control Content-Security-Policy Strict-Transport-Security \
			X-Content-Type-Options Referrer-Policy X-Frame-Options; do
			expect "$h of $path" "$(hdr "$f/lms.h" "$h")" "$(hdr "$f/front.h" "$h")"
		done
		[ -n "$(hdr "$f/front.h" ETag)" ] || fail "GET $path through nginx: no ETag"
	done
	expect "a revalidation through nginx" 304 "$(web -o /dev/null -w '%{http_code}' \
		-H "If-None-Match: $(hdr "$f/front.h" ETag)" "$front/app.css")"
	for path in /no-such-file.css /.hidden /js/ /js/../migrations/0001_extensions.sql; do
		expect "GET $path through nginx" 404 \
			"$(web -D "$f/nf.h" -o /dev/null -w '%{http_code}' --path-as-is "$front$path")"
		expect "type of GET $path" application/problem+json "$(hdr "$f/nf.h" Content-Type)"
	done
}

flows_sign_in_and_enrol() {
	local csrf body n
	log "sign-in, catalogue and enrolment through nginx"
	csrf=$(sign_in learner@example.com "$work/learner.jar")
	# lms saw the client, not nginx, and not what the client claimed.
	web -o /dev/null -b "$work/learner.jar" -H 'X-Forwarded-For: 203.0.113.9' "$front/api/v1/me"
	expect "address of the session" 127.0.0.2 "$(sql -c "SELECT host(remote_addr)
		FROM auth_sessions s JOIN users u ON u.id = s.user_id
		WHERE u.email = 'learner@example.com' ORDER BY s.id DESC LIMIT 1")"
	grep -q '"remote":"127.0.0.2"' "$work/lms-a.log" "$work/lms-b.log" ||
		fail "the access log has no request from 127.0.0.2"
	! grep -q '"remote":"203.0.113.9"' "$work/lms-a.log" "$work/lms-b.log" ||
		fail "lms believed an X-Forwarded-For the client wrote"

	n=$(web "$front/api/v1/courses?limit=100" | jq -e '.items | length') || fail "course list"
	[ "$n" -gt 0 ] || fail "the catalogue is empty"
	read -r course flow_section < <(section_open 5)
	expect "course page" 200 "$(web -o /dev/null -w '%{http_code}' "$front/api/v1/courses/$course")"
	body=$(web -b "$work/learner.jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
		-d '{}' -w '\n%{http_code}' "$front/api/v1/sections/$flow_section/enrollments")
	expect "enrolment through nginx" 201 "$(tail -n1 <<<"$body")"
	expect "its status" enrolled "$(head -n1 <<<"$body" | jq -r .status)"
	web -b "$work/learner.jar" "$front/api/v1/me/enrollments" |
		jq -e --argjson s "$flow_section" '[.items[] | select(.section_id == $s)] | length == 1' \
			>/dev/null || fail "the enrolment is not among the learner's"
}

flows_limits() {
	log "limits: nginx refuses a body over lms's max_body_bytes"
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$work/big.json"
	expect "a 2 MiB sign-in" 413 "$(web -D "$work/big.h" -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @"$work/big.json" \
		"$front/api/v1/auth/login")"
	expect "type of the 413" application/problem+json "$(hdr "$work/big.h" Content-Type)"
}

flows_attachment() {
	local csrf lesson body id name got
	log "attachment: uploaded through nginx, read from both instances"
	csrf=$(sign_in gist-admin@example.com "$work/admin.jar")
	lesson=$(sql -c "SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
		JOIN courses c ON c.id = m.course_id JOIN institutions i ON i.id = c.institution_id
		WHERE i.code = 'gist' ORDER BY l.id LIMIT 1")
	[ -n "$lesson" ] || fail "no lesson of GIST in the demo data"
	# Over max_body_bytes, under max_upload_bytes: only the upload location takes it.
	head -c $((3 * 1024 * 1024)) /dev/urandom | base64 >"$work/notes.txt"
	body=$(web -b "$work/admin.jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: text/plain' \
		--data-binary @"$work/notes.txt" -w '\n%{http_code}' \
		"$front/api/v1/lessons/$lesson/attachments?filename=notes.txt")
	expect "upload through nginx" 201 "$(tail -n1 <<<"$body")"
	id=$(head -n1 <<<"$body" | jq -er .id) || fail "upload answer: $body"
	expect "download through nginx" 200 "$(web -b "$work/admin.jar" -o "$work/got-front" \
		-w '%{http_code}' "$front/api/v1/attachments/$id")"
	cmp -s "$work/notes.txt" "$work/got-front" || fail "the download differs from the upload"
	for name in a b; do
		got=$(curl -s --max-time 20 --cacert "$work/tls/upstream.pem" \
			--resolve "lms-upstream.internal:${lms_port[$name]}:127.0.0.1" \
			-H "Cookie: __Host-lms_session=$(jar_token "$work/admin.jar")" \
			-o "$work/got-$name" -w '%{http_code}' \
			"https://lms-upstream.internal:${lms_port[$name]}/api/v1/attachments/$id")
		expect "download from lms $name" 200 "$got"
		cmp -s "$work/notes.txt" "$work/got-$name" || fail "lms $name sends other bytes"
	done
}

# The replica has replayed everything the primary has written so far.
replica_caught_up() {
	local lsn
	lsn=$(su_sql -c 'SELECT pg_current_wal_lsn()')
	until_true 30 "the replica replaying $lsn" test "$(replica_sql -c \
		"SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t
}

flows_report() {
	local rows want
	log "report through nginx"
	sign_in admin@example.com "$work/platform.jar" >/dev/null
	replica_caught_up
	expect "enrolment report" 200 "$(web -b "$work/platform.jar" -D "$work/report.h" \
		-o "$work/report.ndjson" -w '%{http_code}' "$front/api/v1/reports/enrollments")"
	rows=$(jq -s length "$work/report.ndjson") || fail "the report is not JSON lines"
	want=$(sql -c "SELECT count(*) FROM enrollments")
	expect "rows of the report" "$want" "$rows"
}
