/** The {@code taskqueue} actuator endpoint: queues, workers, tasks, dead letters, events, and what operators do to them. */
@NullMarked
package dev.taskqueue.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
