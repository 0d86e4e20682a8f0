package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.taskqueue.Task;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.testing.TaskQueueFixture;
import org.junit.jupiter.api.Test;

class SmokeTest {

    public static class Tasks {
        @Task(name = "add")
        public int add(int a, int b) {
            return a + b;
        }
    }

    @Test
    void submitRunAndGet() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new Tasks())) {
            tq.startWorker();
            TaskHandle<Integer> handle = tq.client.submit(Tasks::add, 2, 3);
            assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo(5);
            assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
            TaskHandle<Object> byName = tq.client.submit("add", 40, 2);
            assertThat(byName.get(Duration.ofSeconds(10))).isEqualTo(42);
        }
    }
}
