/**
 * Python Celery's protocol on Redis: messages in kombu's lists, results in Celery's Redis result backend, workflows
 * in Celery's own bookkeeping, events and remote control over Celery's channels. A Java service submits to Celery
 * queues and runs Celery-format tasks on its {@code @Task} methods.
 */
@NullMarked
package dev.taskqueue.celery;

import org.jspecify.annotations.NullMarked;
