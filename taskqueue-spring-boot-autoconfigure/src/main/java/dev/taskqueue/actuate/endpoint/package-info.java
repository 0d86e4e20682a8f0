/** The {@code taskqueue} actuator endpoint: queues, workers and tasks. */
@NullMarked
package dev.taskqueue.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
