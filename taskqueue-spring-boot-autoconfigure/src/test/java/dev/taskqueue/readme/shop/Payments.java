package dev.taskqueue.readme.shop;

import java.io.IOException;
import java.time.Duration;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.readme.shop.Domain.CardDeclinedException;
import dev.taskqueue.readme.shop.Domain.PaymentGateway;
import dev.taskqueue.readme.shop.Domain.Receipt;

/** README's "Retries": a task that retries, declared and requested from inside. */
class Payments {

    private final PaymentGateway gateway;

    Payments(PaymentGateway gateway) {
        this.gateway = gateway;
    }

    // tag::retry[]
    @Task(name = "payments.capture", retry = @Retry(maxRetries = 5, delay = "1s", multiplier = 2, maxDelay = "1m",
          jitter = "200ms", includes = IOException.class, excludes = CardDeclinedException.class))
    Receipt capture(String paymentId) throws IOException {
        if (gateway.isBusy()) {
            throw TaskContext.current().retry(Duration.ofMinutes(1));   // from inside a task: run again in a minute
        }
        return gateway.capture(paymentId);
    }
    // end::retry[]
}
