package dev.taskqueue.dashboard.web;

import java.util.function.LongSupplier;

import dev.taskqueue.actuate.view.TaskQueueActions;
import dev.taskqueue.actuate.view.Views;
import dev.taskqueue.dashboard.access.Caller;
import dev.taskqueue.dashboard.access.Right;
import dev.taskqueue.dashboard.audit.AuditEntry;
import dev.taskqueue.dashboard.audit.AuditRecorder;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What operators do from the dashboard, {@code {base}/api/...}: each action needs the operate or admin right and is
 * refused in read-only mode ({@link DashboardGuard}); each answers {@code {action, target, count}} and is audited
 * ({@link AuditRecorder}) whether it succeeded or failed. CSRF protection is the application's: Spring Security checks
 * the token before this runs.
 */
@RestController
@RequestMapping("${taskqueue.dashboard.path:/taskqueue}/api")
public class DashboardActionApi {

    static final String QUEUE_PAUSED = "TASKQUEUE_QUEUE_PAUSED";
    static final String QUEUE_RESUMED = "TASKQUEUE_QUEUE_RESUMED";
    static final String QUEUE_PURGED = "TASKQUEUE_QUEUE_PURGED";
    static final String DEAD_LETTER_RETRIED = "TASKQUEUE_DEAD_LETTER_RETRIED";
    static final String DEAD_LETTER_DELETED = "TASKQUEUE_DEAD_LETTER_DELETED";
    static final String DEAD_LETTERS_RETRIED = "TASKQUEUE_DEAD_LETTERS_RETRIED";
    static final String DEAD_LETTERS_DELETED = "TASKQUEUE_DEAD_LETTERS_DELETED";
    static final String TASK_RETRIED = "TASKQUEUE_TASK_RETRIED";
    static final String TASK_REVOKED = "TASKQUEUE_TASK_REVOKED";
    static final String SCHEDULE_RUN = "TASKQUEUE_SCHEDULE_RUN";
    static final String SCHEDULE_ENABLED = "TASKQUEUE_SCHEDULE_ENABLED";
    static final String SCHEDULE_DISABLED = "TASKQUEUE_SCHEDULE_DISABLED";
    static final String OUTBOX_ROW_RETRIED = "TASKQUEUE_OUTBOX_ROW_RETRIED";
    static final String OUTBOX_ROW_DELETED = "TASKQUEUE_OUTBOX_ROW_DELETED";

    private final TaskQueueActions actions;
    private final AuditRecorder audit;

    public DashboardActionApi(TaskQueueActions actions, AuditRecorder audit) {
        this.actions = actions;
        this.audit = audit;
    }

    // ------------------------------------------------------------------------------------------ operate

    @PostMapping("/queues/{queue}/pause")
    @Requires(value = Right.OPERATE, action = QUEUE_PAUSED)
    public Views.ActionResult pause(@PathVariable String queue, @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, QUEUE_PAUSED, queue, once(() -> actions.pause(queue)));
    }

    @PostMapping("/queues/{queue}/resume")
    @Requires(value = Right.OPERATE, action = QUEUE_RESUMED)
    public Views.ActionResult resume(@PathVariable String queue,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, QUEUE_RESUMED, queue, once(() -> actions.resume(queue)));
    }

    @PostMapping("/queues/{queue}/dead/{deadLetterId}/retry")
    @Requires(value = Right.OPERATE, action = DEAD_LETTER_RETRIED)
    public Views.ActionResult retryDeadLetter(@PathVariable String queue, @PathVariable String deadLetterId,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, DEAD_LETTER_RETRIED, queue + "/" + deadLetterId,
                once(() -> actions.requeueDeadLetter(queue, deadLetterId)));
    }

    @DeleteMapping("/queues/{queue}/dead/{deadLetterId}")
    @Requires(value = Right.OPERATE, action = DEAD_LETTER_DELETED)
    public Views.ActionResult deleteDeadLetter(@PathVariable String queue, @PathVariable String deadLetterId,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, DEAD_LETTER_DELETED, queue + "/" + deadLetterId,
                once(() -> actions.deleteDeadLetter(queue, deadLetterId)));
    }

    /** A delayed task (scheduled, or waiting to retry) runs now; a dead one goes back to its queue. */
    @PostMapping("/tasks/{id}/retry")
    @Requires(value = Right.OPERATE, action = TASK_RETRIED)
    public Views.ActionResult retryTask(@PathVariable String id, @RequestParam(required = false) @Nullable String queue,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, TASK_RETRIED, (queue == null ? "" : queue + "/") + id, () -> {
            TaskQueueActions.Retry retry = actions.retry(DashboardReadApi.emptyToNull(queue), id);
            if (!retry.done()) {
                throw new NothingToDoException("Task '" + id + "' in queue '" + retry.queue() + "' is " + retry.state()
                        + ": only a scheduled or retrying task can run now, and a dead one be retried");
            }
            return 1;
        });
    }

    @PostMapping("/tasks/{id}/revoke")
    @Requires(value = Right.OPERATE, action = TASK_REVOKED)
    public Views.ActionResult revoke(@PathVariable String id, @RequestParam(required = false) @Nullable String queue,
            @RequestParam(defaultValue = "false") boolean terminate,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, TASK_REVOKED, (queue == null ? "" : queue + "/") + id,
                () -> actions.revoke(DashboardReadApi.emptyToNull(queue), id, terminate) ? 1 : 0);
    }

    @PostMapping("/schedules/{name}/run")
    @Requires(value = Right.OPERATE, action = SCHEDULE_RUN)
    public Views.ActionResult runSchedule(@PathVariable String name,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, SCHEDULE_RUN, name, once(() -> actions.runSchedule(name)));
    }

    @PostMapping("/schedules/{name}/enable")
    @Requires(value = Right.OPERATE, action = SCHEDULE_ENABLED)
    public Views.ActionResult enableSchedule(@PathVariable String name,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, SCHEDULE_ENABLED, name, once(() -> actions.enableSchedule(name, true)));
    }

    @PostMapping("/schedules/{name}/disable")
    @Requires(value = Right.OPERATE, action = SCHEDULE_DISABLED)
    public Views.ActionResult disableSchedule(@PathVariable String name,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, SCHEDULE_DISABLED, name, once(() -> actions.enableSchedule(name, false)));
    }

    /** A row the outbox relay gave up on goes back to it, for its next round. */
    @PostMapping("/outbox/{id}/retry")
    @Requires(value = Right.OPERATE, action = OUTBOX_ROW_RETRIED)
    public Views.ActionResult retryOutboxRow(@PathVariable String id,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, OUTBOX_ROW_RETRIED, "outbox/" + id, once(() -> actions.retryOutboxRow(id)));
    }

    /** A row the outbox relay gave up on is deleted: its tasks are never sent. */
    @DeleteMapping("/outbox/{id}")
    @Requires(value = Right.OPERATE, action = OUTBOX_ROW_DELETED)
    public Views.ActionResult deleteOutboxRow(@PathVariable String id,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, OUTBOX_ROW_DELETED, "outbox/" + id, once(() -> actions.deleteOutboxRow(id)));
    }

    // ------------------------------------------------------------------------------------------ administer

    @PostMapping("/queues/{queue}/purge")
    @Requires(value = Right.ADMIN, action = QUEUE_PURGED)
    public Views.ActionResult purge(@PathVariable String queue, @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, QUEUE_PURGED, queue, () -> actions.purge(queue));
    }

    @PostMapping("/queues/{queue}/dead/retry-all")
    @Requires(value = Right.ADMIN, action = DEAD_LETTERS_RETRIED)
    public Views.ActionResult retryDeadLetters(@PathVariable String queue,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, DEAD_LETTERS_RETRIED, queue, () -> actions.requeueDeadLetters(queue));
    }

    @DeleteMapping("/queues/{queue}/dead")
    @Requires(value = Right.ADMIN, action = DEAD_LETTERS_DELETED)
    public Views.ActionResult deleteDeadLetters(@PathVariable String queue,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return act(caller, DEAD_LETTERS_DELETED, queue, () -> actions.deleteDeadLetters(queue));
    }

    /** An action on one thing: it touched one when it did not throw. */
    private static LongSupplier once(Runnable action) {
        return () -> {
            action.run();
            return 1;
        };
    }

    /** Runs an action and audits it, as done or as failed with why (the failure then answers as its kind says). */
    private Views.ActionResult act(Caller caller, String action, String target, LongSupplier operation) {
        String user = String.valueOf(caller.user());
        long count;
        try {
            count = operation.getAsLong();
        }
        catch (RuntimeException ex) {
            audit.record(user, action, target, 0, AuditEntry.failed(ex.getMessage()));
            throw ex;
        }
        audit.record(user, action, target, count, AuditEntry.OK);
        return new Views.ActionResult(action, target, count);
    }

    /** An action that finds nothing to do to what it names: 409. */
    static class NothingToDoException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NothingToDoException(String message) {
            super(message);
        }
    }
}
