package dev.taskqueue.celery;

import java.time.Duration;

import dev.taskqueue.celery.app.CeleryTestApplication;
import dev.taskqueue.celery.python.PythonWorkerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Python clients call Java {@code @Task}s by name; a Java worker on the Celery queue "java" runs them. */
@SpringBootTest(classes = CeleryTestApplication.class, properties = {
        "taskqueue.celery.queues=celery,java", "taskqueue.celery.worker.queues=java",
        "taskqueue.celery.worker.nodename=java-1@localhost", "taskqueue.celery.worker.shutdown-timeout=2s",
        "taskqueue.celery.worker.send-task-events=true", "taskqueue.celery.worker.heartbeat=500ms" })
class PythonToJavaTest {

    @RegisterExtension
    static final PythonWorkerExtension python = PythonWorkerExtension.clientsOn(10);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        python.redisProperties(registry);
    }

    private String py(String script) {
        return python.runOk(script, Duration.ofSeconds(40));
    }

    @Test
    void sendTaskByNameRunsTheJavaTaskAndGetReturnsItsResult() {
        assertThat(py("""
                from proj.celery import app
                print(app.send_task('java.add', args=[40, 2]).get(timeout=20))
                """)).isEqualTo("42");
    }

    @Test
    void delayOfAPythonStubRunsTheJavaTaskOfItsName() {
        assertThat(py("""
                from proj.celery import app
                @app.task(name='java.add')
                def add(x, y):
                    raise NotImplementedError('runs on the Java workers')
                print(add.delay(2, 3).get(timeout=20), add.apply_async((4, 5), countdown=1).get(timeout=20))
                """)).isEqualTo("5 9");
    }

    @Test
    void keywordArgumentsBindByParameterName() {
        assertThat(py("""
                from proj.celery import app
                r = app.send_task('java.greet', args=['Ada'], kwargs={'greeting': 'Hello'})
                print(r.get(timeout=20))
                """)).isEqualTo("Hello, Ada");
    }

    @Test
    void aJavaExceptionReachesPythonAsAFailedResultWithTypeAndMessage() {
        String out = py("""
                from proj.celery import app
                r = app.send_task('java.fail', args=['bad state'])
                try:
                    r.get(timeout=20)
                except Exception as e:
                    print(type(e).__name__, e, r.state)
                """);
        assertThat(out).isEqualTo("IllegalStateException bad state FAILURE");
    }

    @Test
    void aCountdownTaskRunsOnceWhenDue() {
        String out = py("""
                import time
                from proj.celery import app
                start = time.time()
                r = app.send_task('java.add', args=[1, 2], countdown=2)
                print(r.get(timeout=20), time.time() - start >= 1.9)
                """);
        assertThat(out).isEqualTo("3 True");
    }

    @Test
    void anExpiredTaskIsRevokedNotRun() {
        String out = py("""
                import datetime
                from proj.celery import app
                past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
                r = app.send_task('java.add', args=[1, 2], expires=past)
                try:
                    r.get(timeout=20)
                except Exception as e:
                    print(r.state, type(e).__name__)
                """);
        assertThat(out).isEqualTo("REVOKED TaskRevokedError");
    }

    @Test
    void aJavaRetryIsSeenAsCeleryRetriesAndEndsInSuccess() {
        assertThat(py("""
                from proj.celery import app
                print(app.send_task('java.flaky', args=['k1']).get(timeout=20))
                """)).isEqualTo("ok after retry");
    }

    @Test
    void celeryInspectPingListsTheJavaWorker() {
        assertThat(py("""
                from proj.celery import app
                print(app.control.inspect(timeout=2).ping())
                """)).contains("'java-1@localhost': {'ok': 'pong'}");
    }

    @Test
    void aRevokeFromPythonStopsAJavaTaskBeforeItRuns() {
        String out = py("""
                import time
                from proj.celery import app
                r = app.send_task('java.add', args=[1, 2], countdown=3)
                time.sleep(0.5)
                app.control.revoke(r.id)
                try:
                    r.get(timeout=20)
                except Exception as e:
                    print(r.state, type(e).__name__)
                """);
        assertThat(out).isEqualTo("REVOKED TaskRevokedError");
    }

    @Test
    void pythonsEventReceiverSeesTheJavaWorkerAndItsTasks() {
        String out = py("""
                import threading, time
                from proj.celery import app
                seen = []
                state = app.events.State()
                def on_event(event):
                    state.event(event)
                    seen.append(event['type'])
                def send():
                    time.sleep(1.5)
                    app.send_task('java.add', args=[3, 4]).get(timeout=20)
                threading.Thread(target=send, daemon=True).start()
                with app.connection() as connection:
                    receiver = app.events.Receiver(connection, handlers={'*': on_event})
                    def stop():
                        time.sleep(6)
                        receiver.should_stop = True
                    threading.Thread(target=stop, daemon=True).start()
                    try:
                        receiver.capture(limit=None, timeout=1, wakeup=True)
                    except Exception:
                        pass
                worker = state.workers.get('java-1@localhost')
                task = [t for t in state.tasks.values() if t.name == 'java.add']
                print(sorted(set(seen)))
                print(worker is not None and worker.alive, worker.sw_ident if worker else None)
                print(task[-1].state if task else None, task[-1].result if task else None)
                """);
        assertThat(out).contains("'task-received'", "'task-started'", "'task-succeeded'", "'worker-heartbeat'")
                .contains("True java-celery").contains("SUCCESS 7");
    }

    @Test
    void anUnknownTaskNameFailsAsNotRegistered() {
        String out = py("""
                from proj.celery import app
                r = app.send_task('java.nope', args=[], queue='java')
                try:
                    r.get(timeout=20)
                except Exception as e:
                    print(type(e).__name__, r.state)
                """);
        assertThat(out).isEqualTo("NotRegistered FAILURE");
        assertThat(python.redis().redis().lrange(CeleryEndings.DEAD_LETTERS, 0, -1)).anySatisfy(
                letter -> assertThat(letter).contains("java.nope", "unregistered"));
    }

    @Test
    void aKeywordThatMatchesNoParameterFailsAsTypeError() {
        String out = py("""
                from proj.celery import app
                r = app.send_task('java.add', args=[1], kwargs={'z': 2})
                try:
                    r.get(timeout=20)
                except Exception as e:
                    print(type(e).__name__, '|', e)
                """);
        assertThat(out).startsWith("TypeError | java.add() got an unexpected keyword argument 'z'");
    }
}
