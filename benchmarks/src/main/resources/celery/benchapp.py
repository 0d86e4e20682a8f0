"""The Python side of the benchmark's celery scenario: one task, bench.add, on Celery's defaults.

BENCH_CELERY_REDIS  broker and result backend, e.g. redis://127.0.0.1:6390/0 (the benchmark sets it)

Only what the Java side needs differs from Celery's defaults: JSON both ways (Celery 5's default too), and the
queue the benchmark fills. Prefetch, acknowledgement and result settings are Celery's own, as a user would run it.
"""
import os

from celery import Celery

URL = os.environ['BENCH_CELERY_REDIS']

app = Celery('benchapp', broker=URL, backend=URL)
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    task_default_queue='pybench',
)


@app.task(name='bench.add')
def add(x, y):
    return x + y
