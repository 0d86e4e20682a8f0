package dev.taskqueue.worker;

import java.time.Instant;

import dev.taskqueue.RateLimit;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.KeyExpression;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDefinition;
import org.slf4j.Logger;

/**
 * Takes a start slot of the task's rate limit (unless its message already holds one) and a permit of its
 * concurrency limit. A task that gets either only later goes back to Redis to wait for it, and the worker's slot
 * serves another task meanwhile: its run ends without an outcome.
 */
final class Limits {

    private static final Logger log = Processor.RUN_LOG;

    private final WorkerContext worker;
    private final MessageCodec codec;

    Limits(WorkerContext worker, MessageCodec codec) {
        this.worker = worker;
        this.codec = codec;
    }

    /** Whether the run may start now; false when it went back to wait (its permit, if taken, is in the run). */
    boolean pass(Run run) {
        TaskPolicies policies = run.policies();
        return (policies.rateLimit() == null || rateSlot(run, policies.rateLimit()))
                && (policies.concurrency() == null || permit(run, policies.concurrency()));
    }

    private boolean rateSlot(Run run, RateLimit rate) {
        TaskMessage message = run.message();
        if (message.rateReserved()) {
            return true;
        }
        Delivery delivery = run.delivery;
        TaskDefinition task = run.task();
        long startsAt = worker.broker().takeRateSlot(delivery, task.name(), rate.intervalMicros(), message.priority(),
                codec.encodeBody(message.withRateReserved(), run.argumentList()));
        if (startsAt == 0) {
            return true;
        }
        log.debug("Task {} [{}] waits for its rate limit {} until {}", task.name(), delivery.taskId(), rate,
                startsAt > 0 ? Instant.ofEpochMilli(startsAt) : "(lease lost)");
        return false;
    }

    private boolean permit(Run run, TaskPolicies.ConcurrencyLimit concurrency) {
        TaskDefinition task = run.task();
        Delivery delivery = run.delivery;
        Broker broker = worker.broker();
        String key = KeyExpression.parse(concurrency.key().isEmpty() ? "*" : concurrency.key(),
                task.parameterNames()).keyOf(task.name(), run.jsonArgs::get);
        if (!broker.takePermit(delivery, key, concurrency.limit(), worker.permitLeaseMillis(),
                run.message().priority())) {
            log.debug("Task {} [{}] waits for a permit of {} (limit {})", task.name(), delivery.taskId(), key,
                    concurrency.limit());
            return false;
        }
        run.permitKey = key;
        return true;
    }
}
