package dev.taskqueue.client;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.TaskRecords;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A handle that reads the task's record from a {@link ResultBackend}. It names its task's queue: a caller-chosen id
 * is unique per queue only. A handle made from an id alone ({@link dev.taskqueue.TaskClient#handle(String)}) that
 * found the task in no queue yet keeps looking, and keeps the queue from the first record it reads.
 */
final class DefaultTaskHandle<R> implements TaskHandle<R> {

    private final String id;
    private volatile @Nullable String queue;
    private final Type resultType;
    private final ResultBackend backend;
    private final MessageCodec codec;
    private final @Nullable String ignoredResultOf;
    private final Revoker revoker;
    private final CompletableFuture<SentSubmission> sent;

    /** Revokes tasks (through the broker). */
    @FunctionalInterface
    interface Revoker {

        /** Nothing to revoke: the inline mode has run its tasks already. */
        Revoker NONE = (queue, taskId, interrupt) -> false;

        boolean revoke(@Nullable String queue, String taskId, boolean interrupt);
    }

    /**
     * @param ignoredResultOf the task's name when it is declared with {@code ignoreResult} (nothing to wait for),
     *        else null
     */
    DefaultTaskHandle(String id, @Nullable String queue, Type resultType, ResultBackend backend, MessageCodec codec,
            @Nullable String ignoredResultOf, Revoker revoker) {
        this(id, queue, resultType, backend, codec, ignoredResultOf, revoker, SENT);
    }

    /** Sent already: what every handle but those of a submission waiting for its transaction has. */
    static final CompletableFuture<SentSubmission> SENT = CompletableFuture.completedFuture(
            SentSubmission.AS_SUBMITTED);

    /**
     * @param sent completes once Redis has the task (see {@link TaskHandle#sent()}), saying which task stands for it
     */
    DefaultTaskHandle(String id, @Nullable String queue, Type resultType, ResultBackend backend, MessageCodec codec,
            @Nullable String ignoredResultOf, Revoker revoker, CompletableFuture<SentSubmission> sent) {
        this.sent = sent;
        this.id = id;
        this.queue = queue;
        this.resultType = resultType;
        this.backend = backend;
        this.codec = codec;
        this.ignoredResultOf = ignoredResultOf;
        this.revoker = revoker;
    }

    /**
     * A handle to the task with this id in the one queue that has it, or in none yet.
     *
     * @throws dev.taskqueue.AmbiguousTaskIdException when several queues have a task with this id
     */
    static <R> DefaultTaskHandle<R> found(String taskId, Class<R> resultType, ResultBackend backend,
            MessageCodec codec, Revoker revoker) {
        TaskIds.check(taskId);
        return new DefaultTaskHandle<>(taskId, backend.find(null, taskId).queue(), resultType, backend, codec, null,
                revoker);
    }

    /** A handle to the task with this id in {@code queue}. */
    static <R> DefaultTaskHandle<R> inQueue(String queue, String taskId, Class<R> resultType, ResultBackend backend,
            MessageCodec codec, Revoker revoker) {
        TaskIds.check(taskId);
        return new DefaultTaskHandle<>(taskId, TaskDeclarations.checkQueueName(queue), resultType, backend, codec,
                null, revoker);
    }

    @Override
    public boolean revoke(boolean interruptIfRunning) {
        return revoker.revoke(queue, id, interruptIfRunning);
    }

    /** The task's queue, once a record told it: this handle then follows that task only. */
    private TaskInfo keepQueue(TaskInfo info) {
        if (queue == null && info.queue() != null) {
            queue = info.queue();
        }
        return info;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public TaskState state() {
        return info().state();
    }

    @Override
    public TaskInfo info() {
        checkRecordKept("its state is unknown (read from Redis, it would say PENDING even after it ran)");
        return keepQueue(backend.find(queue, standIn()));
    }

    @Override
    public R get(Duration timeout) {
        HeldSend.checkNotWaitingInItsTransaction(sent, "task [" + id + "]");
        return HandleWait.get(future(), timeout, id, "task [" + id + "]", this::state);
    }

    /**
     * Completes once Redis has the task; its callbacks run on the common pool, never in the thread that committed
     * the transaction (inside its commit) or in the outbox relay.
     */
    @Override
    public CompletableFuture<Void> sent() {
        return sent.isDone() && !sent.isCompletedExceptionally() ? CompletableFuture.completedFuture(null)
                : sent.thenApplyAsync(written -> null);
    }

    @Override
    public CompletableFuture<R> future() {
        checkRecordKept("there is nothing to wait for");
        if (sent.isDone() && !sent.isCompletedExceptionally()) {
            return finished(standIn());
        }
        // Waiting for the transaction: follow the task once it is in Redis, or fail as its send did.
        return sent.thenComposeAsync(written -> finished(written.taskIdOf(id)));
    }

    /** The task that stands for this one: itself, unless its submit collapsed into another (unique, debounce). */
    private String standIn() {
        return sent.isDone() && !sent.isCompletedExceptionally() ? sent.join().taskIdOf(id) : id;
    }

    private CompletableFuture<R> finished(String taskId) {
        CompletableFuture<TaskInfo> finished = backend.whenFinished(queue, taskId);
        CompletableFuture<R> result = finished.thenApply(this::keepQueue).thenApply(this::resultOf);
        // Cancelling a derived future leaves its source alone: pass it on, so the backend stops waiting.
        result.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                finished.cancel(false);
            }
        });
        return result;
    }

    /** A task declared with {@code ignoreResult} has no record: say so rather than read it as PENDING forever. */
    private void checkRecordKept(String consequence) {
        if (ignoredResultOf != null) {
            throw new IllegalStateException("Task " + ignoredResultOf + " [" + id + "] is declared with @Task(ignoreResult"
                    + " = true): nothing is stored about it, so " + consequence + ". Follow it through task events or "
                    + "metrics, or remove ignoreResult to keep its state and result.");
        }
    }

    @SuppressWarnings("unchecked")
    private R resultOf(TaskInfo info) {
        switch (info.state()) {
            case SUCCESS:
                try {
                    return (R) codec.decodeResult(info.resultJson(), resultType);
                }
                catch (JacksonException ex) {
                    String notJson = notJson(info.resultJson());
                    if (notJson != null) {
                        throw UnreadableRecordException.ofTask(info.name(), id, info.queue(),
                                "its result is not JSON (" + notJson + ")");
                    }
                    throw new TaskQueueException("The result of task " + info.name() + " [" + id
                            + "] cannot be read as " + resultType.getTypeName() + ": " + ex.getOriginalMessage()
                            + "; ask for the type the task returns", ex);
                }
            case FAILURE:
                throw new TaskFailedException(id, info.name(), info.error() != null ? info.error()
                        : new TaskError(TaskRecords.UNKNOWN_ERROR_TYPE, "no error was recorded", null, false));
            case REVOKED:
                throw new TaskRevokedException(id, info.error() != null ? info.error().message() : null);
            default:
                throw new IllegalStateException("Task [" + id + "] is " + info.state() + ", not finished");
        }
    }

    /** Why this stored result is not JSON at all, or null when it is JSON (of another type than asked, then). */
    private @Nullable String notJson(@Nullable String result) {
        try {
            JsonNode value = result == null ? null : codec.mapper().readTree(result);
            return value == null || value.isMissingNode() ? "it is empty" : null;
        }
        catch (JacksonException ex) {
            return ex.getOriginalMessage();
        }
    }

    @Override
    public String toString() {
        return "TaskHandle[" + id + (queue != null ? " in " + queue : "") + "]";
    }
}
