package dev.taskqueue.celery.readme;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

import dev.taskqueue.Task;

/** The README's Java side: an application whose {@code @Task}s Python calls on the Celery queue "java". */
@SpringBootApplication
public class ReadmeApplication {

    /** What {@code images.thumbnail} returns; Python receives it as a dict. */
    record Thumbnail(String imageId, int width) {
    }

    // tag::java-tasks[]
    @Component
    static class Images {

        // "java" is one of taskqueue.celery.worker.queues: Python sends images.thumbnail there
        @Task(name = "images.thumbnail", queue = "java")
        Thumbnail thumbnail(String imageId, int width) {
            if (width < 1 || width > 4096) {
                throw new IllegalArgumentException("width must be between 1 and 4096, got " + width);
            }
            return new Thumbnail(imageId, width);
        }

        @Task(name = "java.add", queue = "java")
        int add(int x, int y) {
            return x + y;
        }
    }
    // end::java-tasks[]
}
