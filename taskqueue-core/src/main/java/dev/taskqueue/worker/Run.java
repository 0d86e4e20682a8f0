package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.JsonPreview;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.workflow.StepWorkflow;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * One run of a claimed task, from the start of its thread to its one outcome: the object each step of the
 * {@link Processor} reads and completes, in order.
 * <ol>
 * <li>{@link Admission} reads the message, the task's definition, its arguments (as JSON and as the method's
 * types) and its policies;</li>
 * <li>{@link Limits} records the concurrency permit it took;</li>
 * <li>{@link Invocation} sets its {@link RunContext} and its timers ({@link TimeLimits});</li>
 * <li>{@link Endings} turns how it ended into its outcome; {@link RunningTasks} hands that over, once.</li>
 * </ol>
 * Meanwhile the heartbeat extends its lease and permit, a revocation marks and may interrupt it, and its hard time
 * limit may give up on it.
 */
final class Run {

    /** The arguments a record keeps: JSON, shortened to about this many characters. */
    static final int ARGUMENTS_PREVIEW = 1024;

    final Delivery delivery;
    final Thread thread;
    final long startedAt;
    volatile long leaseRenewedAt;
    /** Until the run lets go of its thread ({@link #letGoOfThread}); guarded by this. */
    private boolean onItsThread = true;
    /** Set once, by whoever produces the outcome: the task's thread, or the hard time limit. */
    final AtomicBoolean finished = new AtomicBoolean();

    // Set by admission, on the run's thread, before its timers are armed: read by them afterwards.
    @Nullable TaskMessage message;
    @Nullable TaskDefinition task;
    @Nullable ArrayNode jsonArgs;
    @Nullable Object @Nullable [] args;
    @Nullable TaskPolicies policies;
    /** What follows it in its workflow, read once (by its ending instead, when admission ended before reading it). */
    @Nullable StepWorkflow workflow;

    volatile @Nullable String permitKey;
    volatile @Nullable RunContext context;
    /** Its task was revoked while it ran: what {@link RunContext#isRevoked()} says. */
    volatile boolean revoked;
    /** A revocation interrupted it: one found at a heartbeat does not again. */
    volatile boolean interruptedByRevocation;
    /**
     * Set when its outcome waits for Redis's answer to what it sent for its workflow without waiting (a chord
     * member's report: {@link WorkflowContinuation#afterSuccess}): its outcome then (null: handed back). The run ends
     * when it completes, after its thread was let go; until then it holds its slot and its lease.
     */
    volatile @Nullable CompletableFuture<@Nullable Outcome> outcomeLater;
    volatile @Nullable ScheduledFuture<?> softTimer;
    volatile @Nullable ScheduledFuture<?> hardTimer;

    Run(Delivery delivery, Thread thread, long now) {
        this.delivery = delivery;
        this.thread = thread;
        this.startedAt = now;
        this.leaseRenewedAt = now;
    }

    /** The message, once admission read it. */
    TaskMessage message() {
        return admitted(message, "message");
    }

    /** The task, once admission found it. */
    TaskDefinition task() {
        return admitted(task, "definition");
    }

    /** The policies, once admission merged them. */
    TaskPolicies policies() {
        return admitted(policies, "policies");
    }

    /** A step that needs what admission reads runs only after it: anything else is a bug of the processor. */
    private <T> T admitted(@Nullable T value, String what) {
        if (value == null) {
            throw new IllegalStateException("Task [" + delivery.taskId() + "] has no " + what + " yet");
        }
        return value;
    }

    /** The number of this attempt, from 1. */
    int attempt() {
        return message().attempt() + 1;
    }

    /** Whether the outcome is recorded: unless the task ignores its result, and always in a workflow. */
    boolean keepsRecord() {
        return task == null || !task.ignoreResult() || message().workflow() != null;
    }

    /** What the end of this run gives back: its uniqueness key and its permit. */
    Outcome.Releases releases() {
        return new Outcome.Releases(message().uniqueKey(), permitKey);
    }

    /** The arguments as the record keeps them: JSON, shortened to about a kilobyte. */
    @Nullable String argumentsPreview() {
        ArrayNode args = jsonArgs;
        if (args == null) {
            return null;
        }
        String json = args.toString();
        return json.length() <= ARGUMENTS_PREVIEW ? json : JsonPreview.of(args, ARGUMENTS_PREVIEW).toString();
    }

    /** The JSON arguments as a list (to encode a message again). */
    List<JsonNode> argumentList() {
        ArrayNode args = jsonArgs;
        List<JsonNode> list = new ArrayList<>(args == null ? 0 : args.size());
        if (args != null) {
            args.forEach(list::add);
        }
        return list;
    }

    /**
     * Its task was revoked: marks the run and interrupts it if asked.
     *
     * @return whether this changed anything (false: the run knew it already)
     */
    synchronized boolean revoke(boolean interrupt) {
        boolean changed = !revoked;
        revoked = true;
        if (interrupt) {
            changed |= !interruptedByRevocation;
            interruptedByRevocation = true;
            interrupt();
        }
        return changed;
    }

    /** As {@link #revoke}, but interrupts only a run no revocation interrupted yet (decided under the same lock). */
    synchronized boolean revokeOnce(boolean interrupt) {
        return revoke(interrupt && !interruptedByRevocation);
    }

    /** Interrupts the run's thread, unless the run has let go of it: an interrupt must reach no other task. */
    synchronized void interrupt() {
        if (onItsThread) {
            thread.interrupt();
        }
    }

    /**
     * On the run's thread, as the run ends: from now on {@link #interrupt} leaves the thread alone (it may run another
     * task), and an interrupt sent before is cleared.
     */
    synchronized void letGoOfThread() {
        onItsThread = false;
        Thread.interrupted();
    }

    /** Its time limits no longer apply: the handler returned, or the run is over. */
    void cancelTimers() {
        ScheduledFuture<?> soft = softTimer;
        if (soft != null) {
            soft.cancel(false);
        }
        ScheduledFuture<?> hard = hardTimer;
        if (hard != null) {
            hard.cancel(false);
        }
    }
}
