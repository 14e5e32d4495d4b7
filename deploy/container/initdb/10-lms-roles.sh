#!/bin/sh
# 10-lms-roles.sh - run once by the postgres image on an empty primary: the
# roles and database of docs/operations.md ("Production database"), with the
# passwords from the environment, and the replication entry of pg_hba.conf.
set -eu
psql -v ON_ERROR_STOP=1 -U postgres \
	-v owner_pw="$LMS_OWNER_PASSWORD" -v app_pw="$LMS_APP_PASSWORD" \
	-v repl_pw="$REPLICATOR_PASSWORD" <<'SQL'
CREATE ROLE lms_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE lms_app LOGIN PASSWORD :'app_pw';
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'repl_pw';
CREATE DATABASE lms OWNER lms_owner;
REVOKE ALL ON DATABASE lms FROM PUBLIC;
GRANT CONNECT ON DATABASE lms TO lms_owner, lms_app;
SQL
echo "host replication replicator samenet scram-sha-256" >>"$PGDATA/pg_hba.conf"
