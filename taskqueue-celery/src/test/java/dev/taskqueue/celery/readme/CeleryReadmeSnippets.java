package dev.taskqueue.celery.readme;

import java.time.Duration;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.Workflows;
import dev.taskqueue.celery.Kwargs;

/**
 * The README's Java calls of Python Celery tasks (the test app's {@code proj.tasks.*}), each a region the README shows;
 * {@link CeleryReadmeTest} runs them against a real Python worker and checks what they return.
 */
final class CeleryReadmeSnippets {

    private CeleryReadmeSnippets() {
    }

    static Object submit(TaskClient taskClient) {
        // tag::submit[]
        TaskHandle<Object> sum = taskClient.submit("proj.tasks.add", 2, 3);  // taskqueue.celery.routes: to "celery"
        Object five = sum.get(Duration.ofSeconds(20));                       // 5, from Celery's result backend
        // end::submit[]
        return five;
    }

    static Object options(TaskClient taskClient) {
        // tag::options[]
        TaskHandle<Object> later = taskClient.withOptions(TaskOptions.defaults()
                .countdown(Duration.ofSeconds(1))                             // or eta(instant)
                .expiresIn(Duration.ofMinutes(5))                             // or expiresAt(instant)
                .priority(3)
                .timeLimits(Duration.ofSeconds(20), Duration.ofSeconds(30))   // soft, hard
                .header("tenant", "acme")                                     // Python: self.request.get("tenant")
                .queue("celery"))                                             // wins over the routes
                .submit("proj.tasks.request_info");
        // end::options[]
        return later.get(Duration.ofSeconds(20));
    }

    static Object kwargs(TaskClient taskClient) {
        // tag::kwargs[]
        TaskHandle<Object> echoed = taskClient.submit("proj.tasks.echo", 1, Kwargs.of("name", "x"));
        // Python runs echo(1, name="x")
        // end::kwargs[]
        return echoed.get(Duration.ofSeconds(20));
    }

    static TaskHandle<Object> failure(TaskClient taskClient) {
        // tag::failure[]
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.fail", "boom");
        try {
            handle.get(Duration.ofSeconds(20));
        }
        catch (TaskFailedException failed) {
            failed.getRemoteType();        // "ValueError"
            failed.getRemoteMessage();     // "(\"boom\", 42)"
            failed.getRemoteStackTrace();  // Python's "Traceback (most recent call last): ..."
        }
        handle.state();                    // FAILURE; also PENDING, STARTED, RETRY, SUCCESS, REVOKED
        // end::failure[]
        return handle;
    }

    static TaskHandle<Object> revoke(TaskClient taskClient) {
        // tag::revoke[]
        TaskHandle<Object> handle = taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofSeconds(3)))
                .submit("proj.tasks.add", 1, 1);
        handle.revoke();  // Celery's revoke: the Python workers do not run it; get() throws TaskRevokedException
        // end::revoke[]
        return handle;
    }

    static Object chain(TaskClient taskClient) {
        // tag::chain[]
        TaskHandle<Object> last = taskClient.submit(Workflows.chain(   // Python, then Java, then Python
                TaskCall.of("proj.tasks.add", 1, 2), TaskCall.of("java.add", 10), TaskCall.of("proj.tasks.mul", 3)));
        Object result = last.get(Duration.ofSeconds(30));              // 39: (1 + 2 + 10) * 3
        // end::chain[]
        return result;
    }

    static TaskHandle<Object> links(TaskClient taskClient) {
        // tag::links[]
        taskClient.submit(TaskCall.of("java.add", 1, 1)
                .link(TaskCall.of("proj.tasks.record", "java-link")));      // Python's record(2, "java-link")
        TaskHandle<Object> failing = taskClient.submit(TaskCall.of("images.thumbnail", "img-1", -1)
                .linkError(TaskCall.of("proj.tasks.on_error")));            // Python's on_error(<failed task id>)
        // end::links[]
        return failing;
    }

    static Object chord(TaskClient taskClient) {
        // tag::chord[]
        TaskHandle<Object> total = taskClient.submit(Workflows.chord(Workflows.group(
                TaskCall.of("java.add", 1, 1), TaskCall.of("proj.tasks.add", 2, 2), TaskCall.of("java.add", 3, 3)),
                TaskCall.of("proj.tasks.tsum")));      // once, when all three ended: Python's tsum([2, 4, 6])
        Object twelve = total.get(Duration.ofSeconds(30));
        // end::chord[]
        return twelve;
    }
}
