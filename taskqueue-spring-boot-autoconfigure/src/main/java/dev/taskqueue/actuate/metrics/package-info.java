/** Micrometer meters of taskqueue, fed by task events and queue statistics. */
@NullMarked
package dev.taskqueue.actuate.metrics;

import org.jspecify.annotations.NullMarked;
