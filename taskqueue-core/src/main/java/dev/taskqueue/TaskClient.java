package dev.taskqueue;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Submits tasks, now or later, and finds them again by id.
 *
 * <pre>{@code
 * TaskHandle<Thumbnail> h = taskClient.submit(Thumbnails::make, "img-42", 200);   // type-checked
 * TaskHandle<Object>    g = taskClient.submit("images.thumbnail", "img-42", 200); // by name
 * Thumbnail t = h.get(Duration.ofSeconds(5));
 * taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofMinutes(5))).submit(Receipts::send, orderId);
 * }</pre>
 *
 * <p>A submit that returned has put the task in Redis. When Redis cannot be reached or cannot serve for a time, submit
 * tries again briefly where that cannot store the task twice, then throws {@link BrokerUnavailableException}: the
 * task was not accepted, unless Redis stopped answering once it had the command (submit it again, with the same
 * {@link TaskOptions#taskId(String) task id} if it must not run twice). Thread-safe.
 */
public interface TaskClient {

    /** Submits one call. */
    @SuppressWarnings("unchecked")
    default <R> TaskHandle<R> submit(TaskCall<R> call) {
        return (TaskHandle<R>) submitAll(List.of(call)).get(0);
    }

    /**
     * Submits many calls in one round trip to Redis (per queue). Returns their handles in the same order. Either
     * every call is checked (names, sizes) before anything is sent, or none is sent.
     */
    List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls);

    /** A client that applies these options to every call it submits (call options win over them). */
    TaskClient withOptions(TaskOptions options);

    /**
     * Submits a workflow ({@link Workflows#chain chain}, {@link Workflows#chord chord}, a call with
     * {@link Signature#link links}) or a single call. The handle follows what completes the workflow: a chain's
     * last task, a chord's body.
     */
    <R> TaskHandle<R> submit(Signature<R> signature);

    /** Submits a group: its handle gives every member's result, in submit order. */
    @SuppressWarnings("unchecked")
    default <T> GroupHandle<T> submit(Group<T> group) {
        return (GroupHandle<T>) submit((Signature<List<T>>) group);
    }

    /**
     * A handle to a group submitted by any instance, by its id (while its results are kept).
     *
     * @throws UnreadableRecordException when the group's record holds what taskqueue does not write
     */
    GroupHandle<Object> groupHandle(String groupId);

    /** Submits the task with this name; its result decodes to plain JSON types (maps, lists, strings...). */
    default TaskHandle<Object> submit(String taskName, @Nullable Object... args) {
        return submit(TaskCall.of(taskName, args));
    }

    /**
     * A handle to the task with this id, submitted by any instance; its result decodes to plain JSON types. See
     * {@link #handle(String, Class)}.
     */
    default TaskHandle<Object> handle(String taskId) {
        return handle(taskId, Object.class);
    }

    /**
     * A handle to the task with this id whose result decodes to {@code resultType}. The task is looked for in every
     * queue (one round trip), and the handle follows the one queue that has it. A task still queued without a
     * caller-chosen id has no record until it starts: the handle then keeps looking whenever it is read, and keeps
     * the queue of the first record it finds.
     *
     * @throws AmbiguousTaskIdException when several queues have a task with this id (a caller-chosen id is unique
     *         per queue): use {@link #handle(String, String, Class)}
     */
    <R> TaskHandle<R> handle(String taskId, Class<R> resultType);

    /** A handle to the task with this id in {@code queue}, whose result decodes to {@code resultType}. */
    <R> TaskHandle<R> handle(String queue, String taskId, Class<R> resultType);

    /** Submits a call of a {@link Task} method with 0 parameters, type-checked. */
    default <B, R> TaskHandle<R> submit(TaskMethod.Function0<B, R> method) {
        return submit(TaskCall.of(method));
    }

    /** Submits a call of a {@link Task} method with 0 parameters and no result, type-checked. */
    default <B> TaskHandle<Void> submit(TaskMethod.Procedure0<B> method) {
        return submit(TaskCall.of(method));
    }

    /** Submits a call of a {@link Task} method with 1 parameter, type-checked. */
    default <B, A1, R> TaskHandle<R> submit(TaskMethod.Function1<B, A1, R> method, A1 a1) {
        return submit(TaskCall.of(method, a1));
    }

    /** Submits a call of a {@link Task} method with 1 parameter and no result, type-checked. */
    default <B, A1> TaskHandle<Void> submit(TaskMethod.Procedure1<B, A1> method, A1 a1) {
        return submit(TaskCall.of(method, a1));
    }

    /** Submits a call of a {@link Task} method with 2 parameters, type-checked. */
    default <B, A1, A2, R> TaskHandle<R> submit(TaskMethod.Function2<B, A1, A2, R> method, A1 a1, A2 a2) {
        return submit(TaskCall.of(method, a1, a2));
    }

    /** Submits a call of a {@link Task} method with 2 parameters and no result, type-checked. */
    default <B, A1, A2> TaskHandle<Void> submit(TaskMethod.Procedure2<B, A1, A2> method, A1 a1, A2 a2) {
        return submit(TaskCall.of(method, a1, a2));
    }

    /** Submits a call of a {@link Task} method with 3 parameters, type-checked. */
    default <B, A1, A2, A3, R> TaskHandle<R> submit(TaskMethod.Function3<B, A1, A2, A3, R> method, A1 a1, A2 a2, A3 a3) {
        return submit(TaskCall.of(method, a1, a2, a3));
    }

    /** Submits a call of a {@link Task} method with 3 parameters and no result, type-checked. */
    default <B, A1, A2, A3> TaskHandle<Void> submit(TaskMethod.Procedure3<B, A1, A2, A3> method, A1 a1, A2 a2, A3 a3) {
        return submit(TaskCall.of(method, a1, a2, a3));
    }

    /** Submits a call of a {@link Task} method with 4 parameters, type-checked. */
    default <B, A1, A2, A3, A4, R> TaskHandle<R> submit(TaskMethod.Function4<B, A1, A2, A3, A4, R> method, A1 a1, A2 a2, A3 a3, A4 a4) {
        return submit(TaskCall.of(method, a1, a2, a3, a4));
    }

    /** Submits a call of a {@link Task} method with 4 parameters and no result, type-checked. */
    default <B, A1, A2, A3, A4> TaskHandle<Void> submit(TaskMethod.Procedure4<B, A1, A2, A3, A4> method, A1 a1, A2 a2, A3 a3, A4 a4) {
        return submit(TaskCall.of(method, a1, a2, a3, a4));
    }

    /** Submits a call of a {@link Task} method with 5 parameters, type-checked. */
    default <B, A1, A2, A3, A4, A5, R> TaskHandle<R> submit(TaskMethod.Function5<B, A1, A2, A3, A4, A5, R> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5) {
        return submit(TaskCall.of(method, a1, a2, a3, a4, a5));
    }

    /** Submits a call of a {@link Task} method with 5 parameters and no result, type-checked. */
    default <B, A1, A2, A3, A4, A5> TaskHandle<Void> submit(TaskMethod.Procedure5<B, A1, A2, A3, A4, A5> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5) {
        return submit(TaskCall.of(method, a1, a2, a3, a4, a5));
    }

    /** Submits a call of a {@link Task} method with 6 parameters, type-checked. */
    default <B, A1, A2, A3, A4, A5, A6, R> TaskHandle<R> submit(TaskMethod.Function6<B, A1, A2, A3, A4, A5, A6, R> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6) {
        return submit(TaskCall.of(method, a1, a2, a3, a4, a5, a6));
    }

    /** Submits a call of a {@link Task} method with 6 parameters and no result, type-checked. */
    default <B, A1, A2, A3, A4, A5, A6> TaskHandle<Void> submit(TaskMethod.Procedure6<B, A1, A2, A3, A4, A5, A6> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6) {
        return submit(TaskCall.of(method, a1, a2, a3, a4, a5, a6));
    }
}
