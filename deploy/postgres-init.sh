#!/bin/sh
# Two databases on one server: the gateway's and Rasa's trackers, each with its own owner.
# The Rasa user's password comes from RASA_DB_PASSWORD (docker-compose.yml), never from this file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v rasa_password="$RASA_DB_PASSWORD" <<'SQL'
CREATE USER rasa WITH PASSWORD :'rasa_password';
CREATE DATABASE rasa OWNER rasa;
SQL
