/**
 * The worker: {@link dev.taskqueue.worker.Worker} owns small parts with one job each (fetcher, processor,
 * acker, promoter, heartbeat, janitor), starts them in order and stops them in reverse. The steps of a run also
 * serve the inline mode, in the caller's thread ({@link dev.taskqueue.worker.InlineWorker}).
 */
@NullMarked
package dev.taskqueue.worker;

import org.jspecify.annotations.NullMarked;
