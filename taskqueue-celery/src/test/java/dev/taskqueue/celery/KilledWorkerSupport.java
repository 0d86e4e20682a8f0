package dev.taskqueue.celery;

import java.time.Duration;

import dev.taskqueue.celery.python.PythonCelery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the tests that kill Celery workers share: Python Celery (required: skipped loudly, or failing with
 * {@code CI=true}, when missing), a Redis database of the class's own, emptied first, and a way to send tasks from
 * Python.
 */
abstract class KilledWorkerSupport {

    PythonCelery python;

    CeleryRedisSupport redis;

    /** The test Redis's database the class works in (Celery's keys have no prefix). */
    abstract int database();

    @BeforeEach
    void connect() {
        python = PythonCelery.require();
        redis = new CeleryRedisSupport(database());
    }

    @AfterEach
    void close() {
        if (redis != null) { // null when the test was skipped: Python Celery is missing
            redis.close();
        }
    }

    /** Sends {@code count} calls of {@code task} from Python to the queue {@code shared}; returns their ids. */
    String send(String task, String args, int count) {
        return python.runOk(redis.url(), """
                from proj.celery import app
                ids = [app.send_task('%s', args=%s, queue='shared').id for _ in range(%d)]
                print(' '.join(ids))
                """.formatted(task, args, count), Duration.ofSeconds(30));
    }
}
