package dev.taskqueue.client;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.internal.WorkflowCalls;
import dev.taskqueue.workflow.Target;
import dev.taskqueue.workflow.WorkflowEngine;
import org.jspecify.annotations.Nullable;

/**
 * Submits tasks through a {@link Broker} and hands out handles that read a {@link ResultBackend}; workflows keep
 * their state in a {@link WorkflowStore}, and a handle revokes its task through the {@link QueueAdmin}.
 *
 * <p>Each call becomes a message ({@link MessageFactory}); a call returns only once the broker has stored it.
 */
public final class DefaultTaskClient implements TaskClient {

    private final Broker broker;
    private final ResultBackend backend;
    private final WorkflowStore store;
    private final QueueAdmin admin;
    private final TaskCatalog catalog;
    private final MessageCodec codec;
    private final ClientSettings settings;
    private final TaskEventListener listener;
    private final Clock clock;
    private final TaskOptions defaults;
    private final MessageFactory factory;
    private final WorkflowEngine workflows;
    private final DefaultTaskHandle.Revoker revoker;
    private final SubmitTransactions transactions;

    public DefaultTaskClient(Broker broker, ResultBackend backend, WorkflowStore store, QueueAdmin admin,
            TaskRegistry registry, MessageCodec codec, ClientSettings settings, TaskEventListener listener,
            Clock clock) {
        this(broker, backend, store, admin, registry, codec, settings, listener, List.of(), clock);
    }

    /** A client whose submissions go through these interceptors, in order. */
    public DefaultTaskClient(Broker broker, ResultBackend backend, WorkflowStore store, QueueAdmin admin,
            TaskRegistry registry, MessageCodec codec, ClientSettings settings, TaskEventListener listener,
            List<TaskInterceptor> interceptors, Clock clock) {
        this(broker, backend, store, admin, TaskCatalog.local(registry, codec.mapper()), codec, settings, listener,
                interceptors, clock);
    }

    /**
     * A client that knows the tasks of {@code catalog}: this application's, and those other services' workers
     * published.
     */
    public DefaultTaskClient(Broker broker, ResultBackend backend, WorkflowStore store, QueueAdmin admin,
            TaskCatalog catalog, MessageCodec codec, ClientSettings settings, TaskEventListener listener,
            List<TaskInterceptor> interceptors, Clock clock) {
        this(broker, backend, store, admin, catalog, codec, settings, listener, clock, TaskOptions.defaults(),
                new MessageFactory(catalog, codec, settings, interceptors, clock), SubmitTransactions.NONE);
    }

    private DefaultTaskClient(Broker broker, ResultBackend backend, WorkflowStore store, QueueAdmin admin,
            TaskCatalog catalog, MessageCodec codec, ClientSettings settings, TaskEventListener listener, Clock clock,
            TaskOptions defaults, MessageFactory factory, SubmitTransactions transactions) {
        this.transactions = transactions;
        this.broker = broker;
        this.backend = backend;
        this.store = store;
        this.admin = admin;
        this.catalog = catalog;
        this.codec = codec;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.defaults = defaults;
        this.factory = factory;
        this.workflows = new WorkflowEngine(store, new ClientSteps(factory, broker::submit, listener), codec.mapper(),
                settings.resultTtl().toMillis());
        this.revoker = (queue, taskId, interrupt) -> admin.revoke(queue, taskId, "revoked"
                + (interrupt ? " (interrupting it if it runs)" : ""), interrupt);
    }

    /**
     * The workflow engine of a worker, which has no client at hand: it submits the steps after a task as a client
     * with these settings and interceptors would, finding their tasks in {@code catalog}, and keeps the workflows'
     * state in {@code store}.
     */
    public static WorkflowEngine workflowEngine(Broker broker, WorkflowStore store, TaskCatalog catalog,
            MessageCodec codec, ClientSettings settings, List<TaskInterceptor> interceptors, TaskEventListener listener,
            Clock clock) {
        MessageFactory factory = new MessageFactory(catalog, codec, settings, interceptors, clock);
        return new WorkflowEngine(store, new ClientSteps(factory, broker::submit, listener), codec.mapper(),
                settings.resultTtl().toMillis());
    }

    @Override
    public TaskClient withOptions(TaskOptions options) {
        return new DefaultTaskClient(broker, backend, store, admin, catalog, codec, settings, listener, clock,
                defaults.merge(Objects.requireNonNull(options, "options")), factory, transactions);
    }

    /**
     * This client, asking {@code transactions} whether a submission waits for the caller's transaction (by default
     * none does: see {@link SubmitTransactions}).
     */
    public DefaultTaskClient withTransactions(SubmitTransactions transactions) {
        return new DefaultTaskClient(broker, backend, store, admin, catalog, codec, settings, listener, clock,
                defaults, factory, Objects.requireNonNull(transactions, "transactions"));
    }

    @Override
    public List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls) {
        if (calls.isEmpty()) {
            return List.of();
        }
        MessageFactory.checkTaskIdNamesOne(calls.size(), defaults);
        SubmitTransactions.Pending pending = transactions == SubmitTransactions.NONE ? null
                : transactions.current(transactionMode(calls));
        if (pending != null) {
            return new DeferredSubmit(pending).submitAll(calls);
        }
        if (calls.stream().anyMatch(Signature::hasCallbacks)) { // their successors travel in their messages
            return workflows.submitCalls(calls, defaults).stream().<TaskHandle<?>>map(this::handleOf).toList();
        }
        return factory.aroundSubmit(calls, () -> store(calls));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> TaskHandle<R> submit(Signature<R> signature) {
        if (signature instanceof TaskCall<R> call && !call.hasCallbacks()) {
            return (TaskHandle<R>) submitAll(List.of(call)).get(0);
        }
        // Every call of the workflow is visited only when a transaction may hold it (a chord may have 100,000).
        SubmitTransactions.Pending pending = transactions == SubmitTransactions.NONE ? null
                : transactions.current(transactionMode(WorkflowCalls.of(signature)));
        if (pending != null) {
            return (TaskHandle<R>) new DeferredSubmit(pending).submit(signature);
        }
        return (TaskHandle<R>) handleOf(workflows.submit(signature, defaults));
    }

    /** The transaction mode the calls ask for (the client's, then each call's): one for them all. */
    private @Nullable TransactionMode transactionMode(List<? extends TaskCall<?>> calls) {
        TransactionMode mode = defaults.getTransactionMode();
        TransactionMode first = null;
        for (int i = 0; i < calls.size(); i++) {
            TransactionMode own = calls.get(i).options().getTransactionMode();
            TransactionMode effective = own != null ? own : mode;
            if (i == 0) {
                first = effective;
            }
            else if (effective != first) {
                throw new IllegalArgumentException("Calls submitted together go with the transaction one way, but "
                        + "these ask for " + first + " and " + effective + ": submit them separately");
            }
        }
        return first;
    }

    /**
     * A submission made inside a transaction: checked and encoded now, as any submit (so that a bad call fails in
     * the caller's thread), then recorded rather than written, and handed to the transaction, which writes it to
     * Redis when it commits. The handles are returned at once; {@link TaskHandle#sent()} tells when Redis has them.
     */
    private final class DeferredSubmit {

        private final SubmitTransactions.Pending pending;
        private final SubmissionRecorder recorder = new SubmissionRecorder();
        private final WorkflowEngine engine;

        DeferredSubmit(SubmitTransactions.Pending pending) {
            this.pending = pending;
            this.engine = new WorkflowEngine(recorder, new ClientSteps(factory, recorder::send,
                    new TaskEventListener() {
                    }), codec.mapper(), settings.resultTtl().toMillis());
        }

        List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls) {
            if (calls.stream().anyMatch(Signature::hasCallbacks)) {
                List<Target> targets = engine.submitCalls(calls, defaults);
                CompletableFuture<SentSubmission> sent = hand();
                return targets.stream().<TaskHandle<?>>map(target -> handles().of(target, sent)).toList();
            }
            return factory.aroundSubmit(calls, () -> {
                List<OutgoingMessage> messages = new ArrayList<>(calls.size());
                for (TaskCall<?> call : calls) {
                    messages.add(factory.prepare(call, defaults));
                }
                recorder.send(messages);
                CompletableFuture<SentSubmission> sent = hand();
                List<TaskHandle<?>> handles = new ArrayList<>(calls.size());
                for (int i = 0; i < calls.size(); i++) {
                    OutgoingMessage message = messages.get(i);
                    TaskCall<?> call = calls.get(i);
                    handles.add(new DefaultTaskHandle<>(message.id(), message.queue(), call.resultType(), backend,
                            codec, factory.ignoresResult(call) ? call.taskName() : null, revoker, sent));
                }
                return handles;
            });
        }

        TaskHandle<?> submit(Signature<?> signature) {
            Target target = engine.submit(signature, defaults);
            return handles().of(target, hand());
        }

        /** Hands what was recorded to the transaction. */
        private CompletableFuture<SentSubmission> hand() {
            Submission submission = recorder.submission();
            return HeldSend.hand(pending, pending.replayed() ? submission.deduplicated() : submission);
        }
    }

    @Override
    public GroupHandle<Object> groupHandle(String groupId) {
        return handles().group(groupId);
    }

    private TaskHandle<?> handleOf(Target target) {
        return handles().of(target);
    }

    private WorkflowHandles handles() {
        return new WorkflowHandles(store, backend, codec, revoker);
    }

    private List<TaskHandle<?>> store(List<? extends TaskCall<?>> calls) {
        List<OutgoingMessage> messages = new ArrayList<>(calls.size());
        for (TaskCall<?> call : calls) {
            messages.add(factory.prepare(call, defaults));
        }
        List<SubmitResult> results = broker.submit(messages);
        announce(listener, messages, results);
        List<TaskHandle<?>> handles = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            OutgoingMessage message = messages.get(i);
            SubmitResult result = results.get(i);
            TaskCall<?> call = calls.get(i);
            handles.add(new DefaultTaskHandle<>(result.taskId(), message.queue(), call.resultType(), backend, codec,
                    factory.ignoresResult(call) ? call.taskName() : null, revoker));
        }
        return handles;
    }

    /** Tells the listener what a submit stored, and what it found stored already. */
    static void announce(TaskEventListener listener, List<OutgoingMessage> messages, List<SubmitResult> results) {
        for (int i = 0; i < messages.size(); i++) {
            OutgoingMessage message = messages.get(i);
            if (results.get(i).stored()) {
                listener.submitted(message.taskName(), message.queue());
                listener.sent(message.id(), message.taskName(), message.queue());
            }
            else {
                listener.duplicateSubmitted(message.taskName(), message.queue());
            }
        }
    }

    @Override
    public <R> TaskHandle<R> handle(String taskId, Class<R> resultType) {
        return DefaultTaskHandle.found(taskId, resultType, backend, codec, revoker);
    }

    @Override
    public <R> TaskHandle<R> handle(String queue, String taskId, Class<R> resultType) {
        return DefaultTaskHandle.inQueue(queue, taskId, resultType, backend, codec, revoker);
    }
}
