package dev.taskqueue.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small shop: placing an order stores it in a database (H2 unless configured) and, in the same transaction, through
 * the outbox, submits the tasks that send its receipt and make a thumbnail of the product image in the background. Run it with {@code ./mvnw -pl sample-app -am spring-boot:run}; with no Redis configured it
 * starts an embedded one for development.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
