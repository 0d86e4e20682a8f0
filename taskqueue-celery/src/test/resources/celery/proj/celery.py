"""The Celery app of the interop tests, configured from the environment the Java harness sets.

TASKQUEUE_CELERY_REDIS  broker and result backend, e.g. redis://127.0.0.1:6390/3 (required)
CELERY_EVENTS=1         the worker sends task events (the harness also passes -E)
VISIBILITY_TIMEOUT      seconds before kombu restores an unacknowledged message (default 3600, Celery's own)
"""
import os

from celery import Celery

URL = os.environ['TASKQUEUE_CELERY_REDIS']

app = Celery('proj', broker=URL, backend=URL, include=['proj.tasks'])
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    result_extended=True,
    task_track_started=True,
    worker_send_task_events=os.environ.get('CELERY_EVENTS') == '1',
    broker_transport_options={'visibility_timeout': int(os.environ.get('VISIBILITY_TIMEOUT') or 3600)},
    task_default_queue='celery',
    # Java-owned tasks go to the queue the Java workers read, so a Python client needs no queue= of its own.
    task_routes={
        'java.*': {'queue': 'java'},
        'sample.*': {'queue': 'java'},
    },
)
