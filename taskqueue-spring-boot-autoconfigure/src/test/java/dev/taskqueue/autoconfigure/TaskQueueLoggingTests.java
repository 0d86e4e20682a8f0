package dev.taskqueue.autoconfigure;

import java.util.Map;

import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** What a task's run puts in the logs: its id and name in the MDC, and one line per failure with the cause. */
@ExtendWith(OutputCaptureExtension.class)
class TaskQueueLoggingTests {

    private static final String PROCESSOR = "dev.taskqueue.worker.Processor";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(TestTasks.Greeter.class)
            .withBean(MdcReader.class);

    private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

    @BeforeEach
    void emptyRedisAndShowTaskFailures() {
        SharedRedis.flush();
        logging.setLogLevel(PROCESSOR, LogLevel.INFO); // whatever the test logging configuration says
    }

    @AfterEach
    void restoreLogLevel() {
        logging.setLogLevel(PROCESSOR, null);
    }

    /** A queue left out of taskqueue.worker.queues would otherwise wait for a worker silently. */
    @Test
    void aWorkerSaysAtStartWhichDeclaredQueuesItDoesNotConsume(CapturedOutput output) {
        runner.withPropertyValues("taskqueue.worker.queues=default").run(context -> assertThat(output)
                .contains("does not consume queues that this application's tasks declare: {failing=[test.fail]}"));
    }

    @Test
    void theTaskIdAndNameAreInTheMdcWhileItRuns() {
        runner.run(context -> {
            TaskHandle<Map<String, String>> handle = context.getBean(TaskClient.class).submit(MdcReader::read);

            assertThat(handle.get(WAIT)).containsEntry("taskId", handle.id()).containsEntry("taskName", "test.mdc");
        });
    }

    @Test
    void aFailureIsOneWarningLineNamingTheTaskAndTheCause(CapturedOutput output) {
        runner.run(context -> {
            TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT));

            String line = "Task test.fail [" + handle.id() + "] failed after 1 attempt(s) in ";
            await().atMost(WAIT).untilAsserted(() -> assertThat(output).contains(line));
            assertThat(output.toString().lines().filter(logged -> logged.contains(line)))
                    .singleElement().asString().contains("WARN")
                    .endsWith("ms: java.lang.IllegalStateException: expected failure");
        });
    }

    /** Reads the MDC from inside a task. */
    static class MdcReader {

        @Task(name = "test.mdc")
        Map<String, String> read() {
            return Map.of("taskId", MDC.get("taskId"), "taskName", MDC.get("taskName"));
        }
    }
}
