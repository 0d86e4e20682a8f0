package dev.taskqueue.celery;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends Celery's monitoring events for a Java worker, so that Flower and {@code celery events} show it like a Python
 * worker:
 * <ol>
 * <li>{@link #start()} sends {@code worker-online}, then {@code worker-heartbeat} every {@code freq} (Celery's
 * default 2 s; a monitor counts the worker gone when it hears nothing for twice that);</li>
 * <li>task events are buffered and go out as one {@code task.multi} message whose body is an array, as Celery's
 * event loop sends them: at most {@value #FLUSH_MILLIS} ms after the first one, or at once when
 * {@value #FLUSH_SIZE} wait;</li>
 * <li>{@link #close()} stops the heartbeat, sends what is buffered, then {@code worker-offline}.</li>
 * </ol>
 * Every event is {@code PUBLISH /<db>.celeryev/<type with - as .> <kombu envelope>}: pub/sub only, nothing stored, so
 * a monitor that is down misses it. Monitoring never fails a task: a failed publish is logged (once a minute at most)
 * and dropped.
 */
final class CeleryEventSender implements AutoCloseable {

    /** Celery's default heartbeat interval ({@code --heartbeat-interval}). */
    static final Duration DEFAULT_FREQ = CeleryInterop.WorkerOptions.DEFAULT_HEARTBEAT;

    /** The longest a task event waits in the buffer. */
    static final int FLUSH_MILLIS = 100;

    /** A buffer this full is sent at once. */
    static final int FLUSH_SIZE = 200;

    /** Celery's event exchange; on Redis a fanout over pub/sub. */
    static final String EXCHANGE = "celeryev";

    private static final Logger log = LoggerFactory.getLogger(CeleryEventSender.class);

    private static final long WARN_EVERY_MILLIS = 60_000;

    private static final String SW_VER = swVer();

    private final CeleryRedis redis;
    private final CeleryNode node;
    private final AtomicLong lamport;
    private final boolean sendTaskEvents;
    private final Duration freq;
    private final Clock clock;
    private final List<ObjectNode> buffer = new ArrayList<>();
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);
    private @Nullable ScheduledExecutorService thread;

    /**
     * @param lamport Celery's Lamport clock of this process, shared with remote control: +1 per event
     * @param sendTaskEvents whether to send {@code task-*} events (Celery's {@code -E}); worker events always go
     * @param freq the heartbeat interval, also sent as {@code freq}
     */
    CeleryEventSender(CeleryRedis redis, CeleryNode node, AtomicLong lamport, boolean sendTaskEvents, Duration freq,
            Clock clock) {
        if (freq.isNegative() || freq.isZero()) {
            throw new IllegalArgumentException("The Celery heartbeat interval must be positive, not " + freq);
        }
        this.redis = redis;
        this.node = node;
        this.lamport = lamport;
        this.sendTaskEvents = sendTaskEvents;
        this.freq = freq;
        this.clock = clock;
    }

    CeleryEventSender(CeleryRedis redis, CeleryNode node, AtomicLong lamport, boolean sendTaskEvents) {
        this(redis, node, lamport, sendTaskEvents, DEFAULT_FREQ, Clock.systemDefaultZone());
    }

    /** Sends {@code worker-online} and starts the heartbeat and the flushing of task events. */
    synchronized void start() {
        if (thread != null) {
            return;
        }
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(run -> {
            Thread events = new Thread(run, "taskqueue-celery-events-" + node.nodename());
            events.setDaemon(true);
            return events;
        });
        thread = started;
        workerOnline();
        long period = freq.toMillis();
        started.scheduleAtFixedRate(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
        started.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the heartbeat, sends the buffered task events and, when it was started, {@code worker-offline}, waiting
     * for that (bounded by the command timeout) so that monitors hear it before the application closes Redis.
     */
    @Override
    public void close() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            stopping = thread;
            thread = null;
        }
        if (stopping != null) {
            stopping.shutdownNow();
            try {
                stopping.awaitTermination(1, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
        if (stopping == null) {
            return;
        }
        CompletionStage<Long> offline = workerOffline();
        if (offline != null) {
            try {
                redis.await(offline, "send worker-offline");
            }
            catch (RuntimeException ex) {
                warn(ex);
            }
        }
    }

    /** Sends {@code worker-online} now; the returned publish is null when it could not even be queued. */
    @Nullable CompletionStage<Long> workerOnline() {
        return workerEvent("worker-online", () -> node.active().size(), node::processed);
    }

    @Nullable CompletionStage<Long> workerHeartbeat(int active, long processed) {
        return workerEvent("worker-heartbeat", () -> active, () -> processed);
    }

    @Nullable CompletionStage<Long> workerOffline() {
        return workerEvent("worker-offline", () -> node.active().size(), node::processed);
    }

    /**
     * @param argsRepr what monitors show of the positional arguments (Celery's {@code argsrepr})
     * @param eta when it is due, or null
     * @param expires when it expires, or null
     */
    void taskReceived(String id, String name, String argsRepr, String kwargsRepr, @Nullable String rootId,
            @Nullable String parentId, int retries, @Nullable Instant eta, @Nullable Instant expires) {
        if (sendTaskEvents) {
            ObjectNode event = task("task-received", id).put("name", name).put("args", argsRepr)
                    .put("kwargs", kwargsRepr).put("root_id", rootId).put("parent_id", parentId)
                    .put("retries", retries);
            event.put("eta", eta == null ? null : CeleryJson.iso(eta));
            event.put("expires", expires == null ? null : CeleryJson.iso(expires));
            buffer(event);
        }
    }

    void taskStarted(String id) {
        if (sendTaskEvents) {
            buffer(task("task-started", id));
        }
    }

    /** @param resultRepr what monitors show of the return value (Python's repr: {@code "4"}, {@code "'text'"}) */
    void taskSucceeded(String id, String resultRepr, double runtimeSeconds) {
        if (sendTaskEvents) {
            buffer(task("task-succeeded", id).put("result", resultRepr).put("runtime", runtimeSeconds));
        }
    }

    void taskFailed(String id, String exceptionRepr, String traceback) {
        if (sendTaskEvents) {
            buffer(task("task-failed", id).put("exception", exceptionRepr).put("traceback", traceback));
        }
    }

    void taskRetried(String id, String exceptionRepr, String traceback) {
        if (sendTaskEvents) {
            buffer(task("task-retried", id).put("exception", exceptionRepr).put("traceback", traceback));
        }
    }

    /** @param terminated whether a run under way was interrupted (then {@code signum} is SIGTERM's 15, as Celery's) */
    void taskRevoked(String id, boolean terminated, boolean expired) {
        if (sendTaskEvents) {
            ObjectNode event = task("task-revoked", id).put("terminated", terminated).put("expired", expired);
            if (terminated) {
                event.put("signum", 15);
            }
            else {
                event.putNull("signum");
            }
            buffer(event);
        }
    }

    /** Sends the buffered task events now, as one {@code task.multi} message. */
    void flush() {
        ArrayNode batch = CeleryJson.MAPPER.createArrayNode();
        synchronized (buffer) {
            if (buffer.isEmpty()) {
                return;
            }
            buffer.forEach(batch::add);
            buffer.clear();
        }
        publish("task.multi", batch);
    }

    private void buffer(ObjectNode event) {
        boolean full;
        synchronized (buffer) {
            buffer.add(event);
            full = buffer.size() >= FLUSH_SIZE;
        }
        if (full) {
            ScheduledExecutorService events = thread;
            try {
                if (events != null) {
                    events.execute(this::flush);
                    return;
                }
            }
            catch (RejectedExecutionException closing) {
                // closing: flush here, so the buffer stays bounded
            }
            flush();
        }
    }

    private void heartbeat() {
        workerEvent("worker-heartbeat", () -> node.active().size(), node::processed);
    }

    /** A worker event, with the node's counts read here: a node that throws costs the event, never the caller. */
    private @Nullable CompletionStage<Long> workerEvent(String type, IntSupplier active, LongSupplier processed) {
        ObjectNode event;
        try {
            event = event(type);
            event.put("freq", freq.toMillis() / 1000.0);
            event.put("active", active.getAsInt());
            event.put("processed", processed.getAsLong());
        }
        catch (RuntimeException ex) {
            warn(ex);
            return null;
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        double rounded = load < 0 ? 0.0 : Math.ceil(load * 100) / 100; // Celery rounds up to 2 decimals
        event.putArray("loadavg").add(rounded).add(rounded).add(rounded); // the JVM knows the 1-minute value only
        event.put("sw_ident", CeleryProtocol.SW_IDENT);
        event.put("sw_ver", SW_VER);
        event.put("sw_sys", CeleryProtocol.system());
        return send(event);
    }

    private ObjectNode task(String type, String id) {
        return event(type).put("uuid", id);
    }

    /** Celery's standard fields, the clock moved forward as Celery's dispatcher does when an event is made. */
    private ObjectNode event(String type) {
        ObjectNode event = CeleryJson.MAPPER.createObjectNode();
        event.put("type", type);
        event.put("hostname", node.nodename());
        Instant now = clock.instant();
        event.put("timestamp", now.getEpochSecond() + now.getNano() / 1e9);
        event.put("utcoffset", utcoffset(clock, now));
        event.put("pid", CeleryProtocol.pid());
        event.put("clock", lamport.incrementAndGet());
        return event;
    }

    /**
     * Python's {@code time.timezone // 3600} ({@code altzone} under daylight saving): whole hours WEST of UTC, floored,
     * so UTC+2 is -2 and UTC+5:30 is -6.
     */
    static int utcoffset(Clock clock, Instant now) {
        int eastSeconds = clock.getZone().getRules().getOffset(now).getTotalSeconds();
        return Math.floorDiv(-eastSeconds, 3600);
    }

    private @Nullable CompletionStage<Long> send(ObjectNode event) {
        return publish(event.get("type").asString().replace('-', '.'), event);
    }

    /** Publishes without waiting: the shared connection keeps the order of what this process sends. */
    private @Nullable CompletionStage<Long> publish(String routingKey, JsonNode body) {
        try {
            ObjectNode headers = CeleryJson.MAPPER.createObjectNode().put("hostname", node.nodename());
            String envelope = CeleryEnvelopes.write(body, headers, EXCHANGE, routingKey, 1);
            CompletionStage<Long> sent = redis.commands()
                    .publish(CeleryKeys.fanout(redis.database(), EXCHANGE, routingKey), envelope);
            sent.whenComplete((receivers, failure) -> {
                if (failure != null) {
                    warn(failure);
                }
            });
            return sent;
        }
        catch (RuntimeException ex) {
            warn(ex);
            return null;
        }
    }

    private void warn(Throwable failure) {
        long now = System.currentTimeMillis();
        long last = lastWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= WARN_EVERY_MILLIS) && lastWarning.compareAndSet(last, now)) {
            log.warn("Could not send Celery events for worker {} ({}); monitors such as Flower miss them until Redis "
                    + "answers again. Tasks run on; this is logged once a minute at most.", node.nodename(),
                    failure.toString());
        }
    }

    private static String swVer() {
        String version = CeleryEventSender.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0";
    }
}
