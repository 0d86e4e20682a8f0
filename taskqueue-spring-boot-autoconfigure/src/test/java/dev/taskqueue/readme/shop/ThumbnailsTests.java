package dev.taskqueue.readme.shop;

// tag::inline-test[]
import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = "taskqueue.broker=inline")
class ThumbnailsTests {

    @Autowired
    TaskClient taskClient;

    @Test
    void makesAThumbnail() {
        TaskHandle<Thumbnail> handle = taskClient.submit(Thumbnails::make, "img-42", 200);

        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);   // it ran in this thread, before submit returned
        assertThat(handle.get(Duration.ZERO)).isEqualTo(new Thumbnail("img-42", 200));
    }
}
// end::inline-test[]
