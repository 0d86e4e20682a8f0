/**
 * The auto-configuration of the Celery protocol: active when {@code taskqueue.celery.queues} names Celery queues.
 */
@NullMarked
package dev.taskqueue.celery.autoconfigure;

import org.jspecify.annotations.NullMarked;
