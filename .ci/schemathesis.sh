#!/usr/bin/env bash
# Schemathesis against the live schema: the sample book imported and scored on PostgreSQL,
# gunicorn serving, every endpoint and method exercised with a manager's token. Throttling
# is lifted so that it cannot hide errors. Fails on any server error or schema violation.
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN_URL="${CI_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
DB_NAME=expansion_schemathesis
PORT="${SCHEMATHESIS_PORT:-8765}"
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME"
export DJANGO_SETTINGS_MODULE=expansion.settings.local DJANGO_DEBUG=false
export USAGE_THROTTLE_RATE=1000000/min
# Thousands of deliberate 400/404 answers would each log a warning; errors still show.
export LOG_LEVEL=ERROR
unset CELERY_BROKER_URL
PY=.venv/bin/python
$PY manage.py migrate -v0
$PY manage.py import_book ../shared/sample-book >/dev/null
# Users first, so that the run's usage alerts leave them notifications to list and patch.
$PY manage.py shell -c "from accounts.services import demo_users_ensure; demo_users_ensure()"
$PY manage.py shell -c "from accounts.models import Account; Account.objects.update(owner_email='manager@vendor.example')"
$PY manage.py score_accounts --as-of 2026-06-30 >/dev/null 2>&1
TOKEN=$($PY manage.py drf_create_token manager | awk '{print $3}')
.venv/bin/gunicorn expansion.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
  --env DJANGO_SETTINGS_MODULE=expansion.settings.local --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
.venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/schema/" \
  --header "Authorization: Token $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" --generation-deterministic \
  --wait-for-schema 30 --request-timeout 30 --continue-on-failure
