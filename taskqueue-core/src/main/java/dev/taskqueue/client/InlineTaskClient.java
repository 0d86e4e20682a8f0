package dev.taskqueue.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.RetryRequestedException;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.internal.CurrentTask;
import dev.taskqueue.internal.Defaults;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.Interceptors;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskInvoker;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.workflow.WorkflowEngine;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Runs each task in the submitting thread, before {@code submit} returns (Celery's {@code task_always_eager}):
 * for applications' unit tests, with no Redis and no worker. Arguments and results still go through JSON, so a
 * type that would not travel fails here too; countdowns and etas are ignored. Results live in memory
 * ({@link InlineStore}).
 */
public final class InlineTaskClient implements TaskClient {

    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final TaskInvoker invoker;
    private final TaskEventListener listener;
    private final List<TaskInterceptor> interceptors;
    private final Clock clock;
    private final MessageFactory factory;
    private final TaskOptions defaults;
    private final InlineStore results;
    private final WorkflowEngine workflows;
    /** Tasks submitted while another runs in this thread (workflow steps): run after it, in order. */
    private final ThreadLocal<ArrayDeque<OutgoingMessage>> queued = new ThreadLocal<>();

    public InlineTaskClient(TaskRegistry registry, MessageCodec codec, ClientSettings settings,
            TaskEventListener listener, Clock clock) {
        this(registry, codec, settings, listener, List.of(), clock);
    }

    /** An inline client whose submissions and runs go through these interceptors, in order. */
    public InlineTaskClient(TaskRegistry registry, MessageCodec codec, ClientSettings settings,
            TaskEventListener listener, List<TaskInterceptor> interceptors, Clock clock) {
        this(registry, codec, listener, List.copyOf(interceptors), clock,
                new MessageFactory(TaskCatalog.local(registry, codec.mapper()), codec, settings, interceptors,
                        clock), TaskOptions.defaults(),
                new InlineStore(clock), settings);
    }

    private InlineTaskClient(TaskRegistry registry, MessageCodec codec, TaskEventListener listener,
            List<TaskInterceptor> interceptors, Clock clock, MessageFactory factory, TaskOptions defaults,
            InlineStore results, ClientSettings settings) {
        this.registry = registry;
        this.codec = codec;
        this.invoker = new TaskInvoker(codec);
        this.listener = listener;
        this.interceptors = interceptors;
        this.clock = clock;
        this.factory = factory;
        this.defaults = defaults;
        this.results = results;
        this.settings = settings;
        this.workflows = new WorkflowEngine(results, new ClientSteps(factory, this::runAll, listener),
                codec.mapper(), settings.resultTtl().toMillis());
    }

    private final ClientSettings settings;

    @Override
    public TaskClient withOptions(TaskOptions options) {
        return new InlineTaskClient(registry, codec, listener, interceptors, clock, factory,
                defaults.merge(Objects.requireNonNull(options, "options")), results, settings);
    }

    @Override
    public List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls) {
        MessageFactory.checkTaskIdNamesOne(calls.size(), defaults);
        if (calls.stream().anyMatch(Signature::hasCallbacks)) { // their successors travel in their messages
            return workflows.submitCalls(calls, defaults).stream().<TaskHandle<?>>map(handles()::of).toList();
        }
        List<OutgoingMessage> messages = new ArrayList<>();
        for (TaskCall<?> call : calls) {
            messages.add(factory.prepare(call, defaults));
        }
        runAll(messages);
        List<TaskHandle<?>> handles = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            OutgoingMessage message = messages.get(i);
            handles.add(new DefaultTaskHandle<>(message.id(), message.queue(), calls.get(i).resultType(), results,
                    codec, null, DefaultTaskHandle.Revoker.NONE));
        }
        return handles;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> TaskHandle<R> submit(Signature<R> signature) {
        if (signature instanceof TaskCall<R> call && !call.hasCallbacks()) {
            return (TaskHandle<R>) submitAll(List.of(call)).get(0);
        }
        return (TaskHandle<R>) handles().of(workflows.submit(signature, defaults));
    }

    @Override
    public GroupHandle<Object> groupHandle(String groupId) {
        return handles().group(groupId);
    }

    private WorkflowHandles handles() {
        return new WorkflowHandles(results, results, codec, DefaultTaskHandle.Revoker.NONE);
    }

    /**
     * Runs the messages now, in this thread; a workflow's next steps, submitted while a task runs, run after it
     * (a loop, not a recursion: a long chain does not grow the stack).
     */
    private List<SubmitResult> runAll(List<OutgoingMessage> messages) {
        List<SubmitResult> outcomes = new ArrayList<>();
        ArrayDeque<OutgoingMessage> queue = queued.get();
        boolean outermost = queue == null;
        if (outermost) {
            queue = new ArrayDeque<>();
            queued.set(queue);
        }
        for (OutgoingMessage message : messages) {
            if (message.deduplicate() && (results.has(message.id()) || queue.stream()
                    .anyMatch(m -> m.id().equals(message.id())))) {
                outcomes.add(new SubmitResult(SubmitResult.Outcome.DUPLICATE, message.id()));
                continue;
            }
            queue.add(message);
            outcomes.add(new SubmitResult(SubmitResult.Outcome.ACCEPTED, message.id()));
        }
        if (outermost) {
            try {
                for (OutgoingMessage next = queue.poll(); next != null; next = queue.poll()) {
                    TaskInfo info = run(next);
                    results.save(info);
                    continueWorkflow(next, info);
                }
            }
            finally {
                queued.remove();
            }
        }
        return outcomes;
    }

    private void continueWorkflow(OutgoingMessage message, TaskInfo info) {
        TaskMessage decoded;
        try {
            decoded = codec.decode(message.id(), message.body()).message();
        }
        catch (MessageCodec.CorruptMessageException ex) {
            return;
        }
        if (decoded.workflow() == null) {
            return;
        }
        if (info.state() == TaskState.SUCCESS) {
            workflows.succeeded(decoded, info.resultJson());
        }
        else if (info.error() != null) {
            workflows.failed(decoded, info.error(), info.state() == TaskState.REVOKED);
        }
    }

    private TaskInfo run(OutgoingMessage message) {
        Instant started = clock.instant();
        TaskDefinition task = registry.find(message.taskName());
        if (task == null) {
            return failed(message, started, Errors.ofReason("dev.taskqueue.UnknownTaskException",
                    "no task named '" + message.taskName() + "' in this application (inline mode runs tasks here)"));
        }
        MessageCodec.Decoded decoded = codec.decode(message.id(), message.body());
        Object[] args;
        try {
            args = invoker.bind(task, decoded.args());
        }
        catch (IllegalArgumentException ex) {
            return failed(message, started, Errors.ofReason("dev.taskqueue.InvalidArgumentsException",
                    ex.getMessage()));
        }
        long start = System.nanoTime();
        CurrentTask.set(new InlineContext(decoded.message()));
        try {
            Object result = Interceptors.around(interceptors, TaskContext.current(), () -> invoker.invoke(task, args));
            String json = codec.encodeResult(result, task.resultType());
            listener.finished(new Execution(message.id(), task.name(), message.queue(),
                    TaskEventListener.Outcome.SUCCESS, Duration.ofNanos(System.nanoTime() - start), null));
            return new TaskInfo(message.id(), task.name(), message.queue(), TaskState.SUCCESS, "inline", started,
                    started, clock.instant(), 1, json, null, null, null, null, null, null);
        }
        catch (JacksonException ex) { // the result could not be written: a failure of the run, as on a worker
            TaskError error = Errors.toTaskError(ex, false, Defaults.MAX_TEXT_SIZE,
                    Defaults.MAX_STACK_TRACE_SIZE);
            listener.finished(new Execution(message.id(), task.name(), message.queue(),
                    TaskEventListener.Outcome.FAILURE, Duration.ofNanos(System.nanoTime() - start), error));
            return failed(message, started, error);
        }
        catch (Throwable ex) {
            if (ex instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            TaskError error = Errors.toTaskError(ex, true, Defaults.MAX_TEXT_SIZE,
                    Defaults.MAX_STACK_TRACE_SIZE);
            listener.finished(new Execution(message.id(), task.name(), message.queue(),
                    TaskEventListener.Outcome.FAILURE, Duration.ofNanos(System.nanoTime() - start), error));
            return new TaskInfo(message.id(), task.name(), message.queue(), TaskState.FAILURE, "inline", started,
                    started, clock.instant(), 1, null, error, null, null, null, null, null);
        }
        finally {
            CurrentTask.set(null);
        }
    }

    private TaskInfo failed(OutgoingMessage message, Instant started, TaskError error) {
        return new TaskInfo(message.id(), message.taskName(), message.queue(), TaskState.FAILURE, "inline", started,
                started, clock.instant(), 1, null, error, null, null, null, null, null);
    }

    @Override
    public <R> TaskHandle<R> handle(String taskId, Class<R> resultType) {
        return DefaultTaskHandle.found(taskId, resultType, results, codec, DefaultTaskHandle.Revoker.NONE);
    }

    @Override
    public <R> TaskHandle<R> handle(String queue, String taskId, Class<R> resultType) {
        return DefaultTaskHandle.inQueue(queue, taskId, resultType, results, codec, DefaultTaskHandle.Revoker.NONE);
    }

    /** The context of an inline run: no worker, no time limits, no retries (a retry request fails the task). */
    private static final class InlineContext implements TaskContext {

        private final TaskMessage message;

        InlineContext(TaskMessage message) {
            this.message = message;
        }

        @Override
        public String taskId() {
            return message.id();
        }

        @Override
        public String taskName() {
            return message.task();
        }

        @Override
        public String queue() {
            return message.queue();
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public Map<String, String> headers() {
            return message.headers();
        }

        @Override
        public String workerId() {
            return "inline";
        }

        @Override
        public void progress(double fraction, @Nullable String text) {
        }

        @Override
        public RetryRequestedException retry(Duration delay) {
            throw new RetryRequestedException(delay, null);
        }

        @Override
        public RetryRequestedException retry(Duration delay, Throwable cause) {
            throw new RetryRequestedException(delay, cause);
        }

        @Override
        public boolean isSoftTimeLimitExceeded() {
            return false;
        }

        @Override
        public void checkTimeLimit() {
        }

        @Override
        public boolean isRevoked() {
            return false;
        }
    }
}
