/** Auto-configuration of the Micrometer Observation of task submissions and executions. */
@NullMarked
package dev.taskqueue.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
