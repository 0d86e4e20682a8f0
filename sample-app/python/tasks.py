"""The sample's Python side: a Celery app on the same Redis as the Java sample.

Its own task, tasks.add, runs on the Python worker (run-worker.sh, queue `celery`); tasks named sample.* are the
Java sample's @Task methods, routed to the queue the Java worker reads (`java`). See ask-java.py.
"""
import os

from celery import Celery

URL = os.environ.get('REDIS_URL', 'redis://localhost:6379/0')

app = Celery('tasks', broker=URL, backend=URL)
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    task_routes={'sample.*': {'queue': 'java'}},
)


@app.task(name='tasks.add')
def add(x, y):
    return x + y
