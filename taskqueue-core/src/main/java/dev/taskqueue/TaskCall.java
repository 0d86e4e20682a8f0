package dev.taskqueue;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import dev.taskqueue.internal.TaskMethods;
import org.jspecify.annotations.Nullable;

/**
 * A task call as a value: the task's name, its arguments, the options of this call, and the type its result
 * decodes to. Built by name ({@code TaskCall.of("images.thumbnail", "img-42", 200)}), or type-checked from a
 * method reference ({@code TaskCall.of(Thumbnails::make, "img-42", 200)}). Immutable.
 *
 * <p>In a workflow ({@link Workflows}), a call receives the previous step's result as its first argument: build
 * it without that argument with {@link #partial(TaskMethod.Function1) partial}, or make it {@link #immutable()}
 * to ignore the previous result.
 *
 * @param <R> the result type
 */
public final class TaskCall<R> implements Signature<R> {

    private final String taskName;
    private final List<@Nullable Object> args;
    private final TaskOptions options;
    private final Type resultType;
    private final @Nullable Method method;
    private final boolean immutable;
    private final List<Signature<?>> links;
    private final List<Signature<?>> errorLinks;

    private TaskCall(String taskName, List<@Nullable Object> args, TaskOptions options, Type resultType,
            @Nullable Method method) {
        this(taskName, args, options, resultType, method, false, List.of(), List.of());
    }

    private TaskCall(String taskName, List<@Nullable Object> args, TaskOptions options, Type resultType,
            @Nullable Method method, boolean immutable, List<Signature<?>> links, List<Signature<?>> errorLinks) {
        this.taskName = taskName;
        this.args = args;
        this.options = options;
        this.resultType = resultType;
        this.method = method;
        this.immutable = immutable;
        this.links = List.copyOf(links);
        this.errorLinks = List.copyOf(errorLinks);
    }

    /** A call of the task with this name; its result decodes to plain JSON types (maps, lists, strings...). */
    public static TaskCall<Object> of(String taskName, @Nullable Object... args) {
        Objects.requireNonNull(taskName, "taskName");
        return new TaskCall<>(taskName, copy(args), TaskOptions.defaults(), Object.class, null);
    }

    /** A call of the task with this name whose result decodes to {@code resultType}. */
    public static <R> TaskCall<R> of(String taskName, Class<R> resultType, @Nullable Object... args) {
        Objects.requireNonNull(taskName, "taskName");
        return new TaskCall<>(taskName, copy(args), TaskOptions.defaults(), resultType, null);
    }

    /** The same call with these options (they replace the previous ones). */
    public TaskCall<R> withOptions(TaskOptions options) {
        return new TaskCall<>(taskName, args, Objects.requireNonNull(options, "options"), resultType, method,
                immutable, links, errorLinks);
    }

    /**
     * The same call, ignoring the previous step's result in a workflow: it runs with exactly its own arguments
     * (Celery's {@code si()}).
     */
    public TaskCall<R> immutable() {
        return new TaskCall<>(taskName, args, options, resultType, method, true, links, errorLinks);
    }

    /** Whether it ignores the previous step's result. */
    public boolean isImmutable() {
        return immutable;
    }

    /** A chain of this call, then {@code next} with its result. */
    public <N> Chain<N> then(Signature<N> next) {
        return Workflows.chain(this, next);
    }

    /** A chain of this call, then the task method {@code next} with its result as the only argument. */
    public <B, N> Chain<N> then(TaskMethod.Function1<B, ? super R, N> next) {
        return Workflows.chain(this, partial(next));
    }

    /** A chain of this call, then the task method {@code next} with its result and {@code a2}. */
    public <B, A2, N> Chain<N> then(TaskMethod.Function2<B, ? super R, A2, N> next, A2 a2) {
        return Workflows.chain(this, partial(next, a2));
    }

    @Override
    public List<Signature<?>> links() {
        return links;
    }

    @Override
    public List<Signature<?>> errorLinks() {
        return errorLinks;
    }

    @Override
    public TaskCall<R> link(Signature<?> callback) {
        return new TaskCall<>(taskName, args, options, resultType, method, immutable,
                Workflows.plus(links, callback), errorLinks);
    }

    @Override
    public TaskCall<R> linkError(Signature<?> errorCallback) {
        return new TaskCall<>(taskName, args, options, resultType, method, immutable, links,
                Workflows.plus(errorLinks, errorCallback));
    }

    /** The name of the task to run. */
    public String taskName() {
        return taskName;
    }

    /** The arguments, in order (unmodifiable). */
    public List<@Nullable Object> args() {
        return args;
    }

    /** The options of this call. */
    public TaskOptions options() {
        return options;
    }

    /** The type the result decodes to. */
    public Type resultType() {
        return resultType;
    }

    /** The {@link Task} method this call was built from, when built from a method reference. */
    public @Nullable Method method() {
        return method;
    }

    @Override
    public String toString() {
        return taskName + args + (immutable ? " immutable" : "")
                + (options.equals(TaskOptions.defaults()) ? "" : " " + options);
    }

    private static List<@Nullable Object> copy(@Nullable Object @Nullable [] args) {
        return args == null ? List.of() : Collections.unmodifiableList(Arrays.asList(args.clone())); // nulls allowed
    }

    @SuppressWarnings("unchecked")
    private static <R> TaskCall<R> ofReference(TaskMethod reference, @Nullable Object... args) {
        TaskMethods.Resolved resolved = TaskMethods.resolve(reference);
        return new TaskCall<>(resolved.taskName(), copy(args), TaskOptions.defaults(), resolved.resultType(),
                resolved.method());
    }

    /** A type-checked call of a {@link Task} method with 0 parameters. */
    public static <B, R> TaskCall<R> of(TaskMethod.Function0<B, R> method) {
        return ofReference(method);
    }

    /** A type-checked call of a {@link Task} method with 0 parameters and no result. */
    public static <B> TaskCall<Void> of(TaskMethod.Procedure0<B> method) {
        return ofReference(method);
    }

    /** A type-checked call of a {@link Task} method with 1 parameter. */
    public static <B, A1, R> TaskCall<R> of(TaskMethod.Function1<B, A1, R> method, A1 a1) {
        return ofReference(method, a1);
    }

    /** A type-checked call of a {@link Task} method with 1 parameter and no result. */
    public static <B, A1> TaskCall<Void> of(TaskMethod.Procedure1<B, A1> method, A1 a1) {
        return ofReference(method, a1);
    }

    /** A type-checked call of a {@link Task} method with 2 parameters. */
    public static <B, A1, A2, R> TaskCall<R> of(TaskMethod.Function2<B, A1, A2, R> method, A1 a1, A2 a2) {
        return ofReference(method, a1, a2);
    }

    /** A type-checked call of a {@link Task} method with 2 parameters and no result. */
    public static <B, A1, A2> TaskCall<Void> of(TaskMethod.Procedure2<B, A1, A2> method, A1 a1, A2 a2) {
        return ofReference(method, a1, a2);
    }

    /** A type-checked call of a {@link Task} method with 3 parameters. */
    public static <B, A1, A2, A3, R> TaskCall<R> of(TaskMethod.Function3<B, A1, A2, A3, R> method, A1 a1, A2 a2, A3 a3) {
        return ofReference(method, a1, a2, a3);
    }

    /** A type-checked call of a {@link Task} method with 3 parameters and no result. */
    public static <B, A1, A2, A3> TaskCall<Void> of(TaskMethod.Procedure3<B, A1, A2, A3> method, A1 a1, A2 a2, A3 a3) {
        return ofReference(method, a1, a2, a3);
    }

    /** A type-checked call of a {@link Task} method with 4 parameters. */
    public static <B, A1, A2, A3, A4, R> TaskCall<R> of(TaskMethod.Function4<B, A1, A2, A3, A4, R> method, A1 a1, A2 a2, A3 a3, A4 a4) {
        return ofReference(method, a1, a2, a3, a4);
    }

    /** A type-checked call of a {@link Task} method with 4 parameters and no result. */
    public static <B, A1, A2, A3, A4> TaskCall<Void> of(TaskMethod.Procedure4<B, A1, A2, A3, A4> method, A1 a1, A2 a2, A3 a3, A4 a4) {
        return ofReference(method, a1, a2, a3, a4);
    }

    /** A type-checked call of a {@link Task} method with 5 parameters. */
    public static <B, A1, A2, A3, A4, A5, R> TaskCall<R> of(TaskMethod.Function5<B, A1, A2, A3, A4, A5, R> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5) {
        return ofReference(method, a1, a2, a3, a4, a5);
    }

    /** A type-checked call of a {@link Task} method with 5 parameters and no result. */
    public static <B, A1, A2, A3, A4, A5> TaskCall<Void> of(TaskMethod.Procedure5<B, A1, A2, A3, A4, A5> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5) {
        return ofReference(method, a1, a2, a3, a4, a5);
    }

    /** A type-checked call of a {@link Task} method with 6 parameters. */
    public static <B, A1, A2, A3, A4, A5, A6, R> TaskCall<R> of(TaskMethod.Function6<B, A1, A2, A3, A4, A5, A6, R> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6) {
        return ofReference(method, a1, a2, a3, a4, a5, a6);
    }

    /** A type-checked call of a {@link Task} method with 6 parameters and no result. */
    public static <B, A1, A2, A3, A4, A5, A6> TaskCall<Void> of(TaskMethod.Procedure6<B, A1, A2, A3, A4, A5, A6> method, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6) {
        return ofReference(method, a1, a2, a3, a4, a5, a6);
    }

    /** A call of a 1-parameter task method whose argument is the previous workflow step's result. */
    public static <B, A1, R> TaskCall<R> partial(TaskMethod.Function1<B, A1, R> method) {
        return ofReference(method);
    }

    /** A call of a 1-parameter task method without result, whose argument is the previous step's result. */
    public static <B, A1> TaskCall<Void> partial(TaskMethod.Procedure1<B, A1> method) {
        return ofReference(method);
    }

    /** A call of a 2-parameter task method whose first argument is the previous workflow step's result. */
    public static <B, A1, A2, R> TaskCall<R> partial(TaskMethod.Function2<B, A1, A2, R> method, A2 a2) {
        return ofReference(method, a2);
    }

    /** A call of a 2-parameter task method without result, whose first argument is the previous step's result. */
    public static <B, A1, A2> TaskCall<Void> partial(TaskMethod.Procedure2<B, A1, A2> method, A2 a2) {
        return ofReference(method, a2);
    }

    /** A call of a 3-parameter task method whose first argument is the previous workflow step's result. */
    public static <B, A1, A2, A3, R> TaskCall<R> partial(TaskMethod.Function3<B, A1, A2, A3, R> method, A2 a2,
            A3 a3) {
        return ofReference(method, a2, a3);
    }

    /** A call of a 3-parameter task method without result, whose first argument is the previous step's result. */
    public static <B, A1, A2, A3> TaskCall<Void> partial(TaskMethod.Procedure3<B, A1, A2, A3> method, A2 a2, A3 a3) {
        return ofReference(method, a2, a3);
    }
}
