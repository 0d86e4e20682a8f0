package dev.taskqueue.sample;

// tag::inline-test[]
import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.sample.Thumbnails.Thumbnail;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = "taskqueue.broker=inline")
class ThumbnailsUnitTests {

    @Autowired
    TaskClient taskClient;

    @Test
    void makesAThumbnail() {
        TaskHandle<Thumbnail> handle = taskClient.submit(Thumbnails::make, "img-42", 200);

        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);   // it ran in this thread, before submit returned
        assertThat(handle.get(Duration.ZERO).url()).endsWith("/img-42-200.webp");
    }
}
// end::inline-test[]
