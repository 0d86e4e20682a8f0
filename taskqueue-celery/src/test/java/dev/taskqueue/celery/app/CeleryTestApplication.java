package dev.taskqueue.celery.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Java side of the interop tests: its {@code @Task}s ({@link JavaTasks}) consume the Celery queue "java". */
@SpringBootApplication
public class CeleryTestApplication {
}
