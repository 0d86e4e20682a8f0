/**
 * The worker: {@link dev.taskqueue.worker.Worker} owns small parts with one job each (fetcher, processor,
 * acker, promoter, heartbeat, janitor), starts them in order and stops them in reverse.
 */
@NullMarked
package dev.taskqueue.worker;

import org.jspecify.annotations.NullMarked;
