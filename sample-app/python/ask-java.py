"""Asks the Java sample to add 40 and 2: sends its task sample.add to the queue `java` and prints the answer."""
from tasks import app

print(app.send_task('sample.add', args=[40, 2], queue='java').get(timeout=30))
