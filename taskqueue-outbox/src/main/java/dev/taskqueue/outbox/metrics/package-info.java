/** The outbox's Micrometer gauges. */
@NullMarked
package dev.taskqueue.outbox.metrics;

import org.jspecify.annotations.NullMarked;
