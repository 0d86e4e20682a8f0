#!/bin/sh
# Runs the sample's Python worker on queue `celery` (REDIS_URL, default redis://localhost:6379/0).
cd "$(dirname "$0")"
exec python3 -m celery -A tasks worker -Q celery --loglevel=INFO
