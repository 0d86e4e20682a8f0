package dev.taskqueue.celery.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.celery.CeleryInterop;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Celery's protocol: which queues are Celery's, where calls go, and the Java worker on Celery queues.
 */
@ConfigurationProperties("taskqueue.celery")
public class TaskQueueCeleryProperties {

    /**
     * Queues in Celery's format (kombu lists on Redis, such as the default queue "celery"); calls to them are sent in
     * Celery's protocol. Unset, the Celery protocol is off.
     */
    private List<String> queues = new ArrayList<>();

    /**
     * Task name pattern ("*" for any characters) to the Celery queue its calls go to, as Celery's task_routes, such
     * as proj.*=celery. A call's queue option and a task's @Task queue also choose a Celery queue.
     */
    private Map<String, String> routes = new LinkedHashMap<>();

    /** Where a workflow step without a queue goes, as Celery's task_default_queue. */
    private String defaultQueue = "celery";

    /** How long Celery results are kept in Redis, as Celery's result_expires; 0 keeps them for ever. */
    private Duration resultExpires = Duration.ofDays(1);

    private final Worker worker = new Worker();

    public List<String> getQueues() {
        return queues;
    }

    public void setQueues(List<String> queues) {
        this.queues = queues;
    }

    public Map<String, String> getRoutes() {
        return routes;
    }

    public void setRoutes(Map<String, String> routes) {
        this.routes = routes;
    }

    public String getDefaultQueue() {
        return defaultQueue;
    }

    public void setDefaultQueue(String defaultQueue) {
        this.defaultQueue = defaultQueue;
    }

    public Duration getResultExpires() {
        return resultExpires;
    }

    public void setResultExpires(Duration resultExpires) {
        this.resultExpires = resultExpires;
    }

    public Worker getWorker() {
        return worker;
    }

    /** The Java worker on Celery queues. */
    public static class Worker {

        /**
         * Celery queues this application's worker consumes, running their messages on @Task methods of the same name.
         * Unset, no Celery worker runs.
         */
        private List<String> queues = new ArrayList<>();

        /** Its node name, as Celery's -n (name@host). Unset, "java-<pid>@<host>". */
        private @Nullable String nodename;

        /** How many Celery tasks it runs at once. */
        private int concurrency = CeleryInterop.WorkerOptions.DEFAULT_CONCURRENCY;

        /** Whether it stores STARTED when a task starts, as Celery's task_track_started. */
        private boolean trackStarted = false;

        /** Whether it sends task events for celery events and Flower, as Celery's -E; worker events are always sent. */
        private boolean sendTaskEvents = false;

        /** How often it sends worker-heartbeat events (Celery's default: 2 seconds). */
        private Duration heartbeat = CeleryInterop.WorkerOptions.DEFAULT_HEARTBEAT;

        /**
         * After how long a message a Python worker took and never acknowledged comes back, as kombu's
         * visibility_timeout (set it to the Python side's value).
         */
        private Duration visibilityTimeout = CeleryInterop.WorkerOptions.DEFAULT_VISIBILITY_TIMEOUT;

        /** How soon the messages of a Java worker that died (killed, cut off) come back. */
        private Duration liveness = CeleryInterop.WorkerOptions.DEFAULT_LIVENESS;

        /** Whether it answers Celery's remote control (celery inspect ping, active, stats; revoke). */
        private boolean remoteControl = true;

        /** How long a stopping worker lets its tasks end before it hands them back. */
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        public List<String> getQueues() {
            return queues;
        }

        public void setQueues(List<String> queues) {
            this.queues = queues;
        }

        public @Nullable String getNodename() {
            return nodename;
        }

        public void setNodename(@Nullable String nodename) {
            this.nodename = nodename;
        }

        public int getConcurrency() {
            return concurrency;
        }

        public void setConcurrency(int concurrency) {
            this.concurrency = concurrency;
        }

        public boolean isTrackStarted() {
            return trackStarted;
        }

        public void setTrackStarted(boolean trackStarted) {
            this.trackStarted = trackStarted;
        }

        public boolean isSendTaskEvents() {
            return sendTaskEvents;
        }

        public void setSendTaskEvents(boolean sendTaskEvents) {
            this.sendTaskEvents = sendTaskEvents;
        }

        public Duration getHeartbeat() {
            return heartbeat;
        }

        public void setHeartbeat(Duration heartbeat) {
            this.heartbeat = heartbeat;
        }

        public Duration getVisibilityTimeout() {
            return visibilityTimeout;
        }

        public void setVisibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = visibilityTimeout;
        }

        public Duration getLiveness() {
            return liveness;
        }

        public void setLiveness(Duration liveness) {
            this.liveness = liveness;
        }

        public boolean isRemoteControl() {
            return remoteControl;
        }

        public void setRemoteControl(boolean remoteControl) {
            this.remoteControl = remoteControl;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }
    }
}
