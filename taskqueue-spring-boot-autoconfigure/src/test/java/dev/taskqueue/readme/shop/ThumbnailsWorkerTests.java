package dev.taskqueue.readme.shop;

import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

// tag::memory-test[]
@SpringBootTest(properties = "taskqueue.broker=memory")
class ThumbnailsWorkerTests {

    @Autowired
    TaskClient taskClient;

    @Test
    void aWorkerMakesTheThumbnail() {
        TaskHandle<Thumbnail> handle = taskClient.submit(Thumbnails::make, "img-42", 200);

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo(new Thumbnail("img-42", 200));   // waits for the worker
    }
}
// end::memory-test[]
