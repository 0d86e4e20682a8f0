package dev.taskqueue.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small shop: placing an order sends a receipt and makes a thumbnail of the product image, in the background,
 * through taskqueue. Run it with {@code ./mvnw -pl sample-app -am spring-boot:run}; with no Redis configured it
 * starts an embedded one for development.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
