/**
 * Micrometer Observation of task submissions and executions: timers and, with a tracer, spans whose context
 * travels in the task headers.
 */
@NullMarked
package dev.taskqueue.observation;

import org.jspecify.annotations.NullMarked;
