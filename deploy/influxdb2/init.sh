#!/bin/bash
# Runs once after InfluxDB 2.7's setup: map the bucket to database/retention policy
# "envwatch/autogen" for InfluxQL, and create a v1 user Grafana reads with.
set -euo pipefail
bucket_id=$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | cut -f1)
influx v1 dbrp create --bucket-id "${bucket_id}" --db "${DOCKER_INFLUXDB_INIT_BUCKET}" --rp autogen --default
influx v1 auth create --username "${INFLUXDB_READ_USER}" --password "${INFLUXDB_READ_PASSWORD}" --read-bucket "${bucket_id}"
