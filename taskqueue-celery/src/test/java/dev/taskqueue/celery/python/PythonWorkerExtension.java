package dev.taskqueue.celery.python;

import java.time.Duration;
import java.util.function.BiFunction;

import dev.taskqueue.celery.CeleryRedisSupport;
import dev.taskqueue.test.TestRedis;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Python Celery worker on a Redis database of its own, for one test class:
 * <pre>{@code
 * @RegisterExtension
 * static final PythonWorkerExtension python = PythonWorkerExtension.on(15);
 *
 * @DynamicPropertySource
 * static void redis(DynamicPropertyRegistry registry) {
 *     python.redisProperties(registry);
 * }
 * }</pre>
 * <ol>
 * <li>before all: {@link PythonCelery#require()} (the class is skipped, loudly, without Python Celery; it fails with
 * {@code CI=true}), the database emptied (Celery's keys have no prefix), the worker started and ready;</li>
 * <li>after all: the worker stopped, its children too.</li>
 * </ol>
 */
public final class PythonWorkerExtension implements BeforeAllCallback, AfterAllCallback {

    private final int database;
    private final @Nullable BiFunction<WorkerOptions, String, WorkerOptions> options;
    private @Nullable PythonCelery python;
    private @Nullable CeleryRedisSupport redis;
    private @Nullable CeleryWorkerProcess worker;

    private PythonWorkerExtension(int database, @Nullable BiFunction<WorkerOptions, String, WorkerOptions> options) {
        this.database = database;
        this.options = options;
    }

    /** A worker of the test app {@code proj} on the queue {@code celery}, on the test Redis's {@code database}. */
    public static PythonWorkerExtension on(int database) {
        return on(database, (options, url) -> options);
    }

    /**
     * A worker of {@code options}, given {@link WorkerOptions#defaults()} and the database's URL, on the test Redis's
     * {@code database}.
     */
    public static PythonWorkerExtension on(int database,
            BiFunction<WorkerOptions, String, WorkerOptions> options) {
        return new PythonWorkerExtension(database, options);
    }

    /** Python clients only, no worker (the Java side runs the tasks), on the test Redis's {@code database}. */
    public static PythonWorkerExtension clientsOn(int database) {
        return new PythonWorkerExtension(database, null);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        python = PythonCelery.require();
        redis = new CeleryRedisSupport(database);
        if (options != null) {
            worker = python.startWorker(url(), options.apply(WorkerOptions.defaults(), url()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (worker != null) {
            worker.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** Points {@code spring.data.redis.*} at the worker's Redis database: the Java side shares its broker. */
    public void redisProperties(DynamicPropertyRegistry registry) {
        CeleryRedisSupport.redisProperties(registry, database);
    }

    /** The {@code redis://} URL of the database: broker and result backend of both sides. */
    public String url() {
        return "redis://" + TestRedis.host() + ":" + TestRedis.port() + "/" + database;
    }

    /** Runs a script next to the test app ({@link PythonCelery#runOk}); what it printed, trimmed. */
    public String runOk(String script, Duration timeout) {
        return python().runOk(url(), script, timeout);
    }

    public PythonCelery python() {
        return started(python);
    }

    public CeleryRedisSupport redis() {
        return started(redis);
    }

    public CeleryWorkerProcess worker() {
        return started(worker);
    }

    private static <T> T started(@Nullable T part) {
        if (part == null) {
            throw new IllegalStateException("The Python worker is not started: register the extension on a static "
                    + "field with @RegisterExtension, and use it from the tests, not before");
        }
        return part;
    }
}
