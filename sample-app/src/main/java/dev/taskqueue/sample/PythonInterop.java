package dev.taskqueue.sample;

import java.time.Duration;

import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskTimeoutException;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sample's two directions across Python Celery, with the Spring profile {@code celery} only
 * ({@code application-celery.properties}; the Python side is {@code sample-app/python/}):
 * <ol>
 * <li>Python to Java: {@code sample.add} runs on the Java worker of the Celery queue {@code java}, so that Python's
 * {@code app.send_task('sample.add', args=[40, 2], queue='java').get()} returns 42;</li>
 * <li>Java to Python: {@code POST /celery/add?a=2&b=3} submits {@code tasks.add}, which the route
 * {@code tasks.*} sends to the Celery queue {@code celery}, where the Python worker runs it, and answers its result
 * (502 when it failed or was revoked, 504 when no worker answered in time).</li>
 * </ol>
 */
@RestController
@Profile("celery")
public class PythonInterop {

    /** Long enough for a Python worker that is up; a caller should not hang for longer when none is. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private final TaskClient tasks;

    public PythonInterop(TaskClient tasks) {
        this.tasks = tasks;
    }

    /** Called from Python by name; its queue, {@code java}, is a Celery queue that this application's worker reads. */
    @Task(name = "sample.add", queue = "java")
    public int add(int a, int b) {
        return a + b;
    }

    @PostMapping("/celery/add")
    public ResponseEntity<?> addInPython(@RequestParam int a, @RequestParam int b) {
        TaskHandle<Object> handle = tasks.submit("tasks.add", a, b);
        try {
            return ResponseEntity.ok(handle.get(WAIT));
        }
        catch (TaskFailedException | TaskRevokedException ex) {
            return problem(HttpStatus.BAD_GATEWAY, "The Python task tasks.add [" + handle.id() + "] did not succeed: "
                    + ex.getMessage());
        }
        catch (TaskTimeoutException ex) {
            return problem(HttpStatus.GATEWAY_TIMEOUT, "No result of the Python task tasks.add [" + handle.id()
                    + "] within " + WAIT + ": is a Python worker running on the queue `celery` of this Redis "
                    + "(sample-app/python/run-worker.sh)? " + ex.getMessage());
        }
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
    }
}
