package dev.taskqueue.readme.shop;

import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tour's third step: submitting {@link Thumbnails#make} and getting its result. */
class Tour {

    private static final Logger log = LoggerFactory.getLogger(Tour.class);

    private final TaskClient taskClient;

    Tour(TaskClient taskClient) {
        this.taskClient = taskClient;
    }

    void submit() {
        // tag::submit[]
        TaskHandle<Thumbnail> h = taskClient.submit(Thumbnails::make, "img-42", 200);   // the compiler checks the types
        TaskHandle<Object>    g = taskClient.submit("images.thumbnail", "img-42", 200); // by name, from any service
        Thumbnail t = h.get(Duration.ofSeconds(5));       // throws TaskFailedException with the remote type, message, stack
        h.future().thenAccept(thumbnail -> log.info("made {}", thumbnail));   // or without blocking a thread
        h.state();                                        // PENDING, SCHEDULED, STARTED, RETRY, SUCCESS, FAILURE, REVOKED
        taskClient.handle(h.id(), Thumbnail.class);       // later, from any instance
        // end::submit[]
    }
}
