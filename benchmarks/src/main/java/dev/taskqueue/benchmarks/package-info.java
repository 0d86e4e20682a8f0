/**
 * The benchmark harness: starts a local Redis, measures {@code redis-benchmark}'s reference figures, then runs
 * each scenario through the public API (a {@link dev.taskqueue.TaskClient}, {@link dev.taskqueue.Task @Task}
 * handlers, real workers on the Redis broker) and prints every figure with its target. Entry point:
 * {@link dev.taskqueue.benchmarks.Benchmarks}.
 */
@NullMarked
package dev.taskqueue.benchmarks;

import org.jspecify.annotations.NullMarked;
