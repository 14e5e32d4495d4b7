# failures.sh - instances failing under load, for topology.sh: learners
# enrol through nginx while readers page the catalogue; one instance is
# drained with SIGTERM, the other killed with SIGKILL and brought back. What
# nginx acknowledged must be in the database, and no section over capacity.
# Sourced by topology.sh, whose helpers and variables it uses.

# The learners (tests/support/learners.sh) and the section they all want.
failures_prepare() {
	log "$learners learners for a section of $seats seats"
	learners_make "$learners" topology "$work/sessions.tsv"
	read -r course section < <(section_open "$seats")
	export work front nginx_port section course
	export -f web enrol_one read_catalogue
}

# enrol_one N TOKEN CSRF: learner N enrols through nginx with an
# Idempotency-Key, and tries again (at most 8 times) when nobody answered or
# nginx answered that no instance did, as a careful client does; prints "N
# status tries id enrolment-status".
enrol_one() {
	local n=$1 out code try
	for try in 1 2 3 4 5 6 7 8; do
		out=$(web -H "Cookie: __Host-lms_session=$2" -H "X-CSRF-Token: $3" \
			-H "Idempotency-Key: topology-$n" -H 'Content-Type: application/json' \
			-d '{}' -w '\n%{http_code}' "$front/api/v1/sections/$section/enrollments")
		code=${out##*$'\n'}
		case $code in 000 | 502 | 503 | 504) sleep 0.2 ;; *) break ;; esac
	done
	echo "$n $code $try $(jq -r '"\(.id // "-") \(.status // "-")"' <<<"${out%$'\n'*}" \
		2>/dev/null || echo '- -')"
}

# read_catalogue OUT: pages the catalogue until $work/stop exists (at most
# 3000 requests), one status per line.
read_catalogue() {
	local i
	for i in $(seq 1 3000); do
		[ -e "$work/stop" ] && return 0
		web -o /dev/null -w '%{http_code}\n' "$front/api/v1/courses?limit=20" >>"$1"
		web -o /dev/null -w '%{http_code}\n' "$front/api/v1/courses/$course" >>"$1"
	done
}

lines_at_least() { [ "$(wc -l <"$1")" -ge "$2" ]; }

# enrol FROM TO OUT: learners FROM..TO, six at a time.
enrol() {
	awk -v from="$1" -v to="$2" '$1 >= from && $1 <= to' "$work/sessions.tsv" |
		xargs -P 6 -n 3 bash -c 'enrol_one "$@"' enrol >>"$3"
}

# wave KIND NAME FROM TO: learners FROM..TO enrol while readers read; when
# ten have an answer, instance NAME gets SIGTERM (KIND drain) or SIGKILL
# (KIND crash); the last third enrol after it is gone. Then it starts again.
wave() {
	local kind=$1 name=$2 from=$3 to=$4 out="$work/wave-$1.txt" reads="$work/reads-$1.txt"
	local pid=${lms_pid[$name]} third=$(((to - from + 1) / 3)) readers=() status=0 batch
	rm -f "$work/stop"
	: >"$out"
	: >"$reads"
	read_catalogue "$reads" &
	readers+=($!)
	read_catalogue "$reads" &
	readers+=($!)
	pids+=("${readers[@]}")
	enrol "$from" $((to - third)) "$out" &
	batch=$!
	pids+=($batch)
	until_true 60 "ten enrolments answered" lines_at_least "$out" 10
	if [ "$kind" = drain ]; then
		log "SIGTERM to lms $name, $(wc -l <"$out") enrolments answered"
		kill -TERM "$pid"
	else
		log "SIGKILL to lms $name, $(wc -l <"$out") enrolments answered"
		kill -KILL "$pid"
	fi
	until_true 30 "lms $name gone" eval "! kill -0 $pid"
	{ wait "$pid"; } 2>/dev/null || status=$?
	enrol $((to - third + 1)) "$to" "$out"
	wait "$batch"
	touch "$work/stop"
	wait "${readers[@]}"
	if [ "$kind" = drain ]; then
		expect "exit status of drained lms $name" 0 "$status"
	fi
	wave_verdict "$kind" "$out" "$reads" $((to - from + 1))
	log "lms $name starts again"
	lms_start "$name"
	# nginx tries an instance again only fail_timeout after it failed.
	local before
	before=$(grep -c '"remote":"127.0.0.2"' "$work/lms-$name.log")
	until_true 30 "nginx sending to lms $name again" taking_requests "$name" "$before"
}

# taking_requests NAME COUNT: one more request through nginx, and lms NAME
# has now answered more than COUNT of them.
taking_requests() {
	web -o /dev/null "$front/healthz"
	[ "$(grep -c '"remote":"127.0.0.2"' "$work/lms-$1.log")" -gt "$2" ]
}

# Every reader's request answered 200 (nginx retries reads on the other
# instance), every learner's enrolment acknowledged in the end.
wave_verdict() {
	local kind=$1 out=$2 reads=$3 want=$4 bad retried
	bad=$(grep -vc '^200$' "$reads" || true)
	expect "$kind: catalogue reads not answered 200 (of $(wc -l <"$reads"))" 0 "$bad"
	expect "$kind: learners answered" "$want" "$(wc -l <"$out")"
	bad=$(awk '$2 != 201' "$out")
	[ -z "$bad" ] || fail "$kind: enrolments not acknowledged: $bad"
	retried=$(awk '$3 > 1' "$out" | wc -l)
	log "$kind: $(wc -l <"$reads") reads all 200; $want enrolments all 201, $retried after a retry"
}

failures_drain() { wave drain "$@"; }
failures_crash() { wave crash "$@"; }

# The database against what clients were told: each acknowledged enrolment
# is there, for its learner, exactly once; the section holds its seats and
# no more, the rest wait; PgBouncer carried the traffic, every connection to
# the primary is TLS; the replica has it all.
failures_check() {
	local verdict
	log "checking the database"
	cat "$work"/wave-*.txt | awk '{ print $1 "\t" $4 }' >"$work/acknowledged.tsv"
	verdict=$(sql <<EOF
CREATE TEMP TABLE ack (n integer, id bigint);
\copy ack FROM '$work/acknowledged.tsv'
SELECT (SELECT count(*) FROM ack) || ' acknowledged, '
	|| (SELECT count(*) FROM ack a LEFT JOIN enrollments e ON e.id = a.id
		AND e.section_id = $section
		AND e.user_id = (SELECT id FROM users WHERE email = 'topology-' || a.n || '@example.com')
		WHERE e.id IS NULL) || ' missing, '
	|| (SELECT count(*) FROM enrollments WHERE section_id = $section) || ' rows, '
	|| (SELECT count(*) FROM enrollments WHERE section_id = $section AND status = 'enrolled')
	|| ' enrolled, '
	|| (SELECT count(*) FROM enrollments WHERE section_id = $section AND status = 'waitlisted')
	|| ' waitlisted, count ' || (SELECT enrolled_count FROM sections WHERE id = $section)
	|| ' of ' || (SELECT capacity FROM sections WHERE id = $section);
EOF
)
	log "$verdict"
	expect "enrolments against acknowledgements" \
		"$learners acknowledged, 0 missing, $learners rows, $seats enrolled, $((learners - seats)) waitlisted, count $seats of $seats" \
		"$verdict"
	# pg_hba.conf takes TLS only; the primary says so too.
	expect "connections of lms_app and the replica without TLS, and with" "0 true" "$(su_sql -c "
		SELECT count(*) FILTER (WHERE NOT s.ssl) || ' ' || (count(*) FILTER (WHERE s.ssl
			AND a.usename = 'replicator') = 1 AND count(*) FILTER (WHERE s.ssl) > 1)
		FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
		WHERE a.usename IN ('lms_app', 'replicator')")"
	[ "$(psql -qAtX "${app_bouncer/dbname=lms/dbname=pgbouncer}" -c 'SHOW STATS' |
		awk -F'|' '$1 == "lms" { print ($2 > 0) }')" = 1 ] ||
		fail "PgBouncer carried no transaction"
	replica_caught_up
	expect "enrolments on the replica" "$learners" \
		"$(replica_sql -c "SELECT count(*) FROM enrollments WHERE section_id = $section")"
	for name in a b; do
		expect "lms $name ready again" 200 "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
			--cacert "$work/tls/upstream.pem" \
			--resolve "lms-upstream.internal:${lms_port[$name]}:127.0.0.1" \
			"https://lms-upstream.internal:${lms_port[$name]}/readyz")"
	done
}
