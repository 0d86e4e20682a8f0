/** Task lifecycle events, for metrics, logs and your own hooks. */
@NullMarked
package dev.taskqueue.event;

import org.jspecify.annotations.NullMarked;
