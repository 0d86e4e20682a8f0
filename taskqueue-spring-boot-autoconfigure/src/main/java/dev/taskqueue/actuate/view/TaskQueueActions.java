package dev.taskqueue.actuate.view;

import java.util.function.BiPredicate;

import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueBrowser;
import org.jspecify.annotations.Nullable;

/**
 * What operators do to the queues, as the actuator endpoint and the dashboard both do it: each action first checks
 * that what it names exists ({@link TaskQueueReadModel}), then acts, and answers how many tasks or dead letters it
 * touched. Who may act, and the record of who did, are the caller's.
 */
public class TaskQueueActions {

    private final TaskQueueReadModel model;
    private final QueueAdmin admin;
    private final TaskQueueOperations operations;
    private final @Nullable QueueBrowser browser;

    /** @param browser makes delayed tasks due now, or null when the store offers none */
    public TaskQueueActions(TaskQueueReadModel model, QueueAdmin admin, TaskQueueOperations operations,
            @Nullable QueueBrowser browser) {
        this.model = model;
        this.admin = admin;
        this.operations = operations;
        this.browser = browser;
    }

    /** Pauses a queue for every worker (running tasks finish; submissions are still accepted). */
    public void pause(String queue) {
        admin.pause(model.existingQueue(queue));
    }

    /** Resumes a paused queue. */
    public void resume(String queue) {
        admin.resume(model.existingQueue(queue));
    }

    /** Deletes the queue's waiting tasks, ready and delayed (not those running); returns how many. */
    public long purge(String queue) {
        return admin.purge(model.existingQueue(queue));
    }

    /** Puts every dead letter of a queue back in it, oldest first, each as a fresh first attempt. */
    public int requeueDeadLetters(String queue) {
        return operations.requeueDeadLetters(model.existingQueue(queue));
    }

    /** Deletes every dead letter of a queue. */
    public int deleteDeadLetters(String queue) {
        return operations.deleteDeadLetters(model.existingQueue(queue));
    }

    /** Puts one dead letter back in its queue as a fresh first attempt ({@link ViewNotFoundException} if absent). */
    public void requeueDeadLetter(String queue, String id) {
        onDeadLetter(queue, id, operations::requeueDeadLetter);
    }

    /** Deletes one dead letter ({@link ViewNotFoundException} if absent). */
    public void deleteDeadLetter(String queue, String id) {
        onDeadLetter(queue, id, operations::deleteDeadLetter);
    }

    private void onDeadLetter(String queue, String id, BiPredicate<String, String> operation) {
        model.existingQueue(queue);
        TaskQueueReadModel.checkDeadLetterId(id);
        if (!operation.test(queue, id)) {
            throw TaskQueueReadModel.noDeadLetter(queue, id);
        }
    }

    /**
     * Revokes the task with this id in {@code queue} (every queue when null), and in any instance that runs it
     * (interrupting it if {@code terminate}); returns whether the revocation was recorded (false: it had finished).
     *
     * @throws dev.taskqueue.AmbiguousTaskIdException without a queue, when several queues have the id
     */
    public boolean revoke(@Nullable String queue, String taskId, boolean terminate) {
        TaskQueueReadModel.checkTaskId(taskId);
        String known = queue == null ? null : model.existingQueue(queue);
        return known == null ? operations.revoke(taskId, terminate) : operations.revoke(known, taskId, terminate);
    }

    /**
     * Makes a delayed task (scheduled, or waiting to retry) due now; returns false when it is not delayed.
     *
     * @throws ViewUnavailableException when the store offers no browser
     */
    public boolean runNow(String queue, String taskId) {
        TaskQueueReadModel.checkTaskId(taskId);
        return browser("Running a delayed task now").runNow(model.existingQueue(queue), taskId);
    }

    /**
     * What {@link #retry} did: the task's queue and state, and whether it was retried (false: it was neither delayed
     * nor dead).
     */
    public record Retry(String queue, String state, boolean done) {
    }

    /**
     * Retries a task by id: a delayed one (scheduled, or waiting to retry) runs now, a dead one goes back to its queue.
     *
     * @param queue its queue, or null to look in every queue
     * @throws ViewNotFoundException when no queue has the task
     * @throws dev.taskqueue.AmbiguousTaskIdException without a queue, when several queues have the id
     */
    public Retry retry(@Nullable String queue, String taskId) {
        TaskQueueReadModel.checkTaskId(taskId);
        QueueBrowser source = browser("Retrying a task");
        BrowsedTask task = source.find(queue == null ? null : model.existingQueue(queue), taskId);
        if (task == null) {
            throw new ViewNotFoundException("No task '" + taskId + "'" + (queue == null ? "" : " in queue '" + queue
                    + "'") + ": it is unknown, or it finished and its record expired (taskqueue.result-ttl)");
        }
        String deadLetter = task.deadLetterId();
        if (deadLetter != null) {
            requeueDeadLetter(task.queue(), deadLetter);
            return new Retry(task.queue(), task.state(), true);
        }
        return new Retry(task.queue(), task.state(), source.runNow(task.queue(), taskId));
    }

    private QueueBrowser browser(String what) {
        QueueBrowser source = browser;
        if (source == null) {
            throw new ViewUnavailableException(what + " needs a QueueBrowser bean, which the Redis broker provides: "
                    + "this application's store has none");
        }
        return source;
    }

    /**
     * Submits a periodic schedule's task now, as an extra run (its ticks go on as before); returns the task's id.
     *
     * @throws ViewUnavailableException when this application's scheduler cannot run schedules on demand
     */
    public String runSchedule(String name) {
        try {
            return model.scheduler(name).runNow(name).id();
        }
        catch (IllegalStateException ex) {
            throw new ViewUnavailableException(ex.getMessage());
        }
    }

    /**
     * Makes a row the outbox relay gave up on pending again, for its next round; returns the row's id.
     *
     * @throws ViewNotFoundException without an outbox, or when no failed row has the id
     * @throws InvalidViewRequestException when {@code id} is not a row id
     */
    public long retryOutboxRow(String id) {
        return onFailedOutboxRow(id, OutboxOperations::retry);
    }

    /**
     * Deletes a row the outbox relay gave up on, for good (its tasks are never sent); returns the row's id.
     *
     * @throws ViewNotFoundException without an outbox, or when no failed row has the id
     * @throws InvalidViewRequestException when {@code id} is not a row id
     */
    public long deleteOutboxRow(String id) {
        return onFailedOutboxRow(id, OutboxOperations::delete);
    }

    private long onFailedOutboxRow(String id, OutboxRowAction action) {
        OutboxOperations outbox = model.outboxOperations();
        long row = TaskQueueReadModel.outboxRowId(id);
        if (!action.apply(outbox, row)) {
            throw TaskQueueReadModel.noFailedOutboxRow(row);
        }
        return row;
    }

    /** {@link OutboxOperations#retry} or {@link OutboxOperations#delete}. */
    @FunctionalInterface
    private interface OutboxRowAction {

        boolean apply(OutboxOperations outbox, long id);
    }

    /** Enables or disables a periodic schedule on every instance (stored in Redis). */
    public void enableSchedule(String name, boolean enabled) {
        model.scheduler(name).setEnabled(name, enabled);
    }
}
