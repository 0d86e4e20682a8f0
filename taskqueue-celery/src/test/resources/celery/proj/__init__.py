# The Celery app the interop tests run as a real Python worker and client: `python -m celery -A proj worker`.
from .celery import app

__all__ = ('app',)
