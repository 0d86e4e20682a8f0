package dev.taskqueue.celery.app;

import org.springframework.boot.SpringApplication;

/**
 * The test application in a JVM of its own, so that crash tests can kill a Java worker with {@code kill -9}: its
 * settings come as {@code --name=value} arguments.
 */
public final class CeleryWorkerMain {

    private CeleryWorkerMain() {
    }

    public static void main(String[] args) {
        SpringApplication.run(CeleryTestApplication.class, args);
    }
}
