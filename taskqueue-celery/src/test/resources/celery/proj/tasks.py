"""Tasks a Java client calls on the Python worker, and callbacks that leave traces a Java test can read in Redis."""
import json
import time

import redis

from .celery import URL, app

# One connection pool for the process; redis-py connects lazily, on the first command.
_redis = redis.Redis.from_url(URL)


@app.task(name='proj.tasks.add')
def add(x, y):
    return x + y


@app.task(name='proj.tasks.mul')
def mul(x, y):
    return x * y


@app.task(name='proj.tasks.tsum')
def tsum(numbers):
    return sum(numbers)


@app.task(name='proj.tasks.fail')
def fail(msg):
    # Two arguments, so a reader of the result sees exc_message as a list, not a plain string.
    raise ValueError(msg, 42)


@app.task(name='proj.tasks.echo')
def echo(*args, **kwargs):
    return {'args': args, 'kwargs': kwargs}


@app.task(name='proj.tasks.slow')
def slow(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name='proj.tasks.retry_once', bind=True)
def retry_once(self, key):
    # A counter in Redis, not self.request.retries, so that a message a Java client built with any `retries`
    # header still retries exactly once per key.
    if _redis.incr('retry_once:' + key) == 1:
        raise self.retry(countdown=1, exc=KeyError('again'))
    return 'retried'


@app.task(name='proj.tasks.record')
def record(value, key):
    _redis.rpush(key, json.dumps(value))
    return value


@app.task(name='proj.tasks.on_error')
def on_error(task_id):
    # One parameter: Celery calls such an errback "old style", as a task sent with the failed task's id.
    _redis.rpush('errbacks', task_id)
    return task_id


@app.task(name='proj.tasks.request_info', bind=True)
def request_info(self):
    """What the worker saw of the message's options: the Java client's countdown, expiry, priority, retries,
    time limits and headers must arrive as Python's own would."""
    request = self.request
    return {
        'retries': request.retries,
        'timelimit': list(request.timelimit) if request.timelimit else None,
        'eta': str(request.eta) if request.eta else None,
        'expires': str(request.expires) if request.expires else None,
        'priority': (request.delivery_info or {}).get('priority'),
        'tenant': request.get('tenant'),
        'lang': request.get('lang'),
        'root_id': request.root_id,
    }


@app.task(name='shared.slow_add')
def shared_slow_add(x, y, seconds=0):
    """Also declared by the Java tasks: either side may run it, so each side's restore can be seen by the other."""
    time.sleep(seconds)
    return x + y
