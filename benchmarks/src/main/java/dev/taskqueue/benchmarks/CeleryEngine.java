package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.celery.CeleryInterop;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.worker.WorkerSettings;
import io.lettuce.core.RedisClient;

/**
 * Celery's protocol wired as the auto-configuration wires it, without Spring, on the benchmark's Redis (database 0,
 * where Celery's keys have no prefix): a client whose calls of {@code bench.add} go to the Celery queue
 * {@value #QUEUE} in Celery's format, and Java workers on that queue with the properties' defaults
 * ({@code taskqueue.celery.worker.*}) but their concurrency. Closing it stops its workers and its connections.
 */
final class CeleryEngine implements AutoCloseable {

    /** The Celery queue both drains empty and the bulk submit fills. */
    static final String QUEUE = "pybench";

    final Engine engine;
    final TaskClient client;
    private final RedisClient lettuce;
    private final CeleryInterop interop;

    CeleryEngine(Bench bench) {
        engine = bench.engine();
        lettuce = RedisClient.create(bench.redis.uri());
        interop = engine.celery(lettuce, new CeleryInterop.Options(List.of(QUEUE), Map.of("bench.add", QUEUE), QUEUE,
                Duration.ofDays(1), 0, bench.redis.uri().getHost(), bench.redis.port()));
        client = interop.client(engine.client);
    }

    /** A started Java worker on {@value #QUEUE}, running {@code concurrency} tasks at once. */
    CeleryInterop.Worker startWorker(int concurrency) {
        CeleryInterop.Worker worker = interop.worker(new CeleryInterop.WorkerOptions("java-bench-"
                + ProcessHandle.current().pid() + "@localhost", List.of(QUEUE), concurrency, false, false,
                Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofSeconds(10), true),
                WorkerSettings.builder().concurrency(concurrency).build(), TaskEventListener.of(List.of()), List.of(),
                engine.workflows());
        worker.start();
        return worker;
    }

    @Override
    public void close() {
        try {
            interop.close();
            engine.close();
        }
        finally {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
