package dev.taskqueue.sample;

// tag::spring-test[]
import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.event.TaskEventListener.Outcome;
import dev.taskqueue.sample.Thumbnails.Thumbnail;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.TaskQueueTester;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
@AutoConfigureTaskQueue
class ThumbnailsTests {

    @Autowired
    TaskClient taskClient;

    @Autowired
    TaskQueueTester tasks;

    @Test
    void aWorkerMakesTheThumbnail() {
        TaskHandle<Thumbnail> handle = taskClient.submit(Thumbnails::make, "img-42", 200);

        assertThat(handle.get(Duration.ofSeconds(10)).url()).endsWith("/img-42-200.webp");   // waits for the worker
        tasks.assertSucceeded(handle);
    }

    @Test
    void aWidthOutOfRangeFailsWithoutARetry() {
        TaskHandle<Thumbnail> handle = taskClient.submit(Thumbnails::make, "img-42", -5);

        tasks.awaitIdle(Duration.ofSeconds(10));   // nothing ready, running, or due within the 10 s

        assertThat(tasks.assertFailed(handle).message()).isEqualTo("width must be between 1 and 4096, got -5");
        assertThat(tasks.ran()).extracting(Execution::outcome).containsExactly(Outcome.FAILURE);
    }
}
// end::spring-test[]
