package dev.taskqueue.celery;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.TaskTimeoutException;
import dev.taskqueue.UnreadableRecordException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A task sent to a Celery queue, followed through Celery's result backend as Python's {@code AsyncResult} follows it:
 * its state is its {@code celery-task-meta-<id>}, its result waits on that key's channel, its revocation is Celery's
 * broadcast {@code revoke}. A failure arrives as {@link TaskFailedException} with the remote (Python or Java) type,
 * message and traceback.
 */
final class CeleryTaskHandle<R> implements TaskHandle<R> {

    private final String id;
    private final @Nullable String queue;
    private final Type resultType;
    private final CeleryResults results;
    private final CeleryControl control;
    private final ObjectMapper mapper;

    CeleryTaskHandle(String id, @Nullable String queue, Type resultType, CeleryResults results, CeleryControl control,
            ObjectMapper mapper) {
        this.id = id;
        this.queue = queue;
        this.resultType = resultType;
        this.results = results;
        this.control = control;
        this.mapper = mapper;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public TaskState state() {
        return CeleryMeta.state(id, results.read(id));
    }

    @Override
    public TaskInfo info() {
        return CeleryMeta.info(id, queue, results.read(id));
    }

    @Override
    public R get(Duration timeout) {
        CompletableFuture<R> future = future();
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            future.cancel(false);
            throw new TaskTimeoutException(id, state(), timeout);
        }
        catch (InterruptedException ex) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new TaskTimeoutException(id, TaskState.PENDING, timeout);
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new CompletionException(ex.getCause());
        }
    }

    @Override
    public CompletableFuture<R> future() {
        CompletableFuture<R> result = new CompletableFuture<>();
        CompletableFuture<tools.jackson.databind.node.ObjectNode> ready = results.whenReady(id);
        result.whenComplete((value, error) -> ready.cancel(false)); // cancelling the result stops the wait
        ready.whenComplete((meta, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            try {
                result.complete(outcome(meta));
            }
            catch (RuntimeException ex) {
                result.completeExceptionally(ex);
            }
        });
        return result;
    }

    /** The value of a ready meta, or the exception its state means. */
    private R outcome(JsonNode meta) {
        TaskState state = CeleryMeta.state(id, meta);
        String name = CeleryMessage.text(meta.get("name"));
        if (state == TaskState.FAILURE) {
            TaskError error = CeleryMeta.error(meta);
            throw new TaskFailedException(id, name, error != null ? error
                    : new TaskError("celery.exceptions.Unknown", meta.path("result").toString(), null, false));
        }
        if (state == TaskState.REVOKED) {
            TaskError error = CeleryMeta.error(meta);
            throw new TaskRevokedException(id, error != null ? error.message() : "revoked");
        }
        return decode(meta.get("result"), name);
    }

    @SuppressWarnings("unchecked")
    private R decode(@Nullable JsonNode value, @Nullable String name) {
        if (value == null || value.isNull()) {
            return null;
        }
        JsonNode plain;
        try {
            plain = CeleryJson.plain(value);
        }
        catch (IllegalArgumentException ex) {
            throw UnreadableRecordException.ofTask(name, id, queue, "its Celery result " + ex.getMessage());
        }
        if (resultType == Object.class) {
            return (R) CeleryJson.MAPPER.treeToValue(plain, Object.class);
        }
        try {
            return (R) mapper.treeToValue(plain, mapper.constructType(resultType));
        }
        catch (JacksonException ex) {
            throw UnreadableRecordException.ofTask(name, id, queue, "its Celery result " + plain
                    + " does not convert to " + resultType.getTypeName() + ": " + ex.getOriginalMessage());
        }
    }

    @Override
    public boolean revoke(boolean interruptIfRunning) {
        if (state().isFinished()) {
            return false;
        }
        control.revoke(List.of(id), interruptIfRunning, results.expires());
        return true;
    }

    @Override
    public String toString() {
        return "CeleryTaskHandle[" + id + (queue != null ? " in " + queue : "") + "]";
    }
}
