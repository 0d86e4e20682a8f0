package dev.taskqueue.sample;

import java.time.Instant;

import dev.taskqueue.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Sends order receipts by e-mail (logged here instead of sent). */
@Component
public class Receipts {

    private static final Logger log = LoggerFactory.getLogger(Receipts.class);

    /** What was sent. */
    public record Receipt(String orderId, String email, Instant sentAt) {
    }

    /** The e-mail provider allows 50 messages a second, whatever the number of application instances. */
    @Task(name = "emails.receipt", queue = "emails", rateLimit = "50/s")
    public Receipt send(String orderId, String email) {
        log.info("Receipt for order {} sent to {}", orderId, email);
        return new Receipt(orderId, email, Instant.now());
    }
}
