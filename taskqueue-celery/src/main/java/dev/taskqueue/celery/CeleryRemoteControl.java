package dev.taskqueue.celery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers Celery's remote control (kombu's "pidbox") for a Java worker, so that {@code celery inspect ping/active/
 * stats}, {@code celery control revoke} and Flower work on it as on a Python worker:
 * <ol>
 * <li>{@link #start()} binds the worker's mailbox, {@code SADD _kombu.binding.celery.pidbox
 * "\x06\x16\x06\x16<node>.celery.pidbox"}, and listens with {@code PSUBSCRIBE /<db>.celery.pidbox};</li>
 * <li>each request is a kombu envelope whose body is {@code {method, arguments, destination, pattern, matcher,
 * ticket, reply_to}}; the worker acts when the destination is empty or names it, or the glob/regex pattern matches
 * its name, and not once the {@code expires} header has passed;</li>
 * <li>when the caller wants a reply ({@code reply_to} and {@code ticket}) and still waits for it, that is
 * {@code SISMEMBER _kombu.binding.reply.celery.pidbox "<oid>\x06\x16\x06\x16<oid>.reply.celery.pidbox"}, the reply
 * {@code {"<node>": <answer>}} goes to {@code LPUSH <oid>.reply.celery.pidbox <envelope>}.</li>
 * </ol>
 * Requests are handled one at a time on a daemon thread of their own (never on Lettuce's event loop, which must not
 * wait for Redis). A request that cannot be read is logged and dropped; the listener carries on. Pub/sub is
 * at-most-once: a request broadcast while this worker is disconnected is never heard, as with Celery (Lettuce
 * subscribes again when it reconnects).
 */
final class CeleryRemoteControl implements AutoCloseable {

    /** Celery's remote-control exchange (fanout over pub/sub). */
    static final String EXCHANGE = "celery.pidbox";

    /** The exchange of replies (direct, to the caller's list). */
    static final String REPLY_EXCHANGE = "reply.celery.pidbox";

    /** Requests waiting to be handled beyond this many are dropped (a flood must not grow the heap). */
    static final int MAX_WAITING = 1000;

    private static final Logger log = LoggerFactory.getLogger(CeleryRemoteControl.class);

    private final CeleryRedis redis;
    private final CeleryNode node;
    private final AtomicLong lamport;
    private final String brokerHost;
    private final int brokerPort;
    private final Clock clock;
    private @Nullable StatefulRedisPubSubConnection<String, String> subscription;
    private @Nullable ThreadPoolExecutor handler;

    /**
     * @param lamport Celery's Lamport clock of this process, shared with the event sender
     * @param brokerHost the Redis host, as {@code celery inspect stats} reports the broker
     */
    CeleryRemoteControl(CeleryRedis redis, CeleryNode node, AtomicLong lamport, String brokerHost, int brokerPort,
            Clock clock) {
        this.redis = redis;
        this.node = node;
        this.lamport = lamport;
        this.brokerHost = brokerHost;
        this.brokerPort = brokerPort;
        this.clock = clock;
    }

    /** Binds the mailbox and subscribes; waits (bounded by the command timeout) until both are done. */
    synchronized void start() {
        if (subscription != null) {
            return;
        }
        redis.await(redis.commands().sadd(CeleryKeys.bindings(EXCHANGE), mailbox()), "bind the Celery mailbox");
        ThreadPoolExecutor requests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_WAITING), run -> {
                    Thread pidbox = new Thread(run, "taskqueue-celery-pidbox");
                    pidbox.setDaemon(true);
                    return pidbox;
                });
        StatefulRedisPubSubConnection<String, String> connection = redis.pubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                try {
                    requests.execute(() -> handle(message));
                }
                catch (RejectedExecutionException ex) {
                    log.warn("Dropped a Celery remote-control request to {}: {} wait already", node.nodename(),
                            MAX_WAITING);
                }
            }
        });
        try {
            redis.await(connection.async().psubscribe(CeleryKeys.fanout(redis.database(), EXCHANGE, "")),
                    "subscribe to Celery remote control");
        }
        catch (RuntimeException ex) {
            connection.closeAsync();
            requests.shutdownNow();
            throw ex;
        }
        handler = requests;
        subscription = connection;
    }

    /** Unsubscribes, unbinds the mailbox, and lets the request under way finish (up to a second). */
    @Override
    public void close() {
        StatefulRedisPubSubConnection<String, String> connection;
        ThreadPoolExecutor requests;
        synchronized (this) {
            connection = subscription;
            requests = handler;
            subscription = null;
            handler = null;
        }
        if (connection == null || requests == null) {
            return;
        }
        connection.close();
        requests.shutdown();
        try {
            requests.awaitTermination(1, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        try {
            redis.await(redis.commands().srem(CeleryKeys.bindings(EXCHANGE), mailbox()), "unbind the Celery mailbox");
        }
        catch (RuntimeException ex) {
            log.warn("Could not unbind the Celery mailbox of {} ({}); Celery only ever broadcasts to it, so the "
                    + "stale binding is harmless", node.nodename(), ex.getMessage());
        }
    }

    private String mailbox() {
        return CeleryKeys.binding("", node.nodename() + "." + EXCHANGE);
    }

    /** One request, start to end; never throws, so one bad request costs only itself. */
    private void handle(String raw) {
        try {
            JsonNode request = CeleryEnvelopes.body(raw);
            JsonNode headers = CeleryJson.MAPPER.readTree(raw).path("headers");
            // as Celery: forward on every request (clients seldom keep a clock), then adjust to the sender's
            lamport.incrementAndGet();
            lamport.accumulateAndGet(headers.path("clock").asLong(0), (ours, theirs) -> Math.max(ours, theirs) + 1);
            double expires = headers.path("expires").asDouble(0);
            if (expires > 0 && clock.millis() / 1000.0 > expires) {
                return;
            }
            if (!request.isObject() || !request.path("method").isString()) {
                throw new CeleryRefusal("it is not {method, arguments, destination, ...}");
            }
            if (!addressedToUs(request)) {
                return;
            }
            String method = request.get("method").asString();
            JsonNode arguments = request.path("arguments").isObject() ? request.get("arguments")
                    : CeleryJson.MAPPER.createObjectNode();
            JsonNode answer;
            try {
                answer = answer(method, arguments);
            }
            catch (RuntimeException ex) {
                log.warn("Celery remote-control command {} on {} failed", method, node.nodename(), ex);
                answer = CeleryJson.MAPPER.createObjectNode().put("error", ex.toString());
            }
            JsonNode replyTo = request.path("reply_to");
            String ticket = CeleryMessage.text(request.get("ticket"));
            String oid = CeleryMessage.text(replyTo.get("routing_key"));
            if (answer != null && ticket != null && oid != null) {
                reply(oid, ticket, answer);
            }
        }
        catch (CeleryRefusal | JacksonException ex) {
            log.warn("Ignored a Celery remote-control message to {} that cannot be read: {}", node.nodename(),
                    ex.getMessage());
        }
        catch (RuntimeException ex) {
            log.warn("Could not handle a Celery remote-control request to {}", node.nodename(), ex);
        }
    }

    /** As kombu's {@code Node.handle_message}: a destination list first, else a pattern, else everyone. */
    private boolean addressedToUs(JsonNode request) {
        JsonNode destination = request.path("destination");
        String name = node.nodename();
        if (destination.isArray() && !destination.isEmpty()) {
            for (JsonNode each : destination) {
                if (name.equals(each.asString(""))) {
                    return true;
                }
            }
            return false;
        }
        if (destination.isString() && !destination.asString().isEmpty()) {
            return name.equals(destination.asString()); // Python's "in" on a string: a single name in practice
        }
        String pattern = CeleryMessage.text(request.get("pattern"));
        String matcher = CeleryMessage.text(request.get("matcher"));
        if (pattern != null && matcher != null) {
            return matches(name, pattern, matcher);
        }
        return true;
    }

    /** Kombu's matchers: {@code glob} is fnmatch, {@code pcre} is {@code re.match} (anchored at the start). */
    static boolean matches(String name, String pattern, String matcher) {
        try {
            return switch (matcher) {
                case "glob" -> Pattern.compile(globToRegex(pattern)).matcher(name).matches();
                case "pcre" -> Pattern.compile(pattern).matcher(name).lookingAt();
                default -> false;
            };
        }
        catch (PatternSyntaxException ex) {
            return false;
        }
    }

    private static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        regex.append("\\[");
                    }
                    else {
                        String set = glob.substring(i + 1, end);
                        regex.append('[').append(set.startsWith("!") ? "^" + quoteSet(set.substring(1))
                                : quoteSet(set)).append(']');
                        i = end;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private static String quoteSet(String set) {
        return set.replace("\\", "\\\\").replace("[", "\\[").replace("&", "\\&");
    }

    /**
     * The answer to one command, as Celery's worker gives it; null for no reply at all ({@code shutdown}).
     */
    private @Nullable JsonNode answer(String method, JsonNode arguments) {
        return switch (method) {
            case "ping" -> ok("pong");
            case "active" -> active(arguments.path("safe").asBoolean(false));
            case "reserved", "scheduled", "revoked", "registered" -> CeleryJson.MAPPER.createArrayNode();
            case "active_queues" -> activeQueues();
            case "stats" -> stats();
            case "query_task" -> queryTask(arguments.path("ids"));
            case "revoke" -> revoke(arguments.path("task_id"), arguments.path("terminate").asBoolean(false));
            case "hello" -> hello(CeleryMessage.text(arguments.get("from_node")));
            case "shutdown" -> {
                log.warn("Ignored Celery's remote shutdown of {}: a Java application stops its worker itself "
                        + "(stop the application, or its worker, instead)", node.nodename());
                yield null;
            }
            // kombu looks the handler up in a dict; the KeyError is what the caller gets back
            default -> CeleryJson.MAPPER.createObjectNode().put("error", "KeyError('" + method + "')");
        };
    }

    private static ObjectNode ok(String message) {
        return CeleryJson.MAPPER.createObjectNode().put("ok", message);
    }

    private ArrayNode active(boolean safe) {
        ArrayNode tasks = CeleryJson.MAPPER.createArrayNode();
        for (CeleryNode.ActiveTask task : node.active()) {
            tasks.add(info(task, safe));
        }
        return tasks;
    }

    /** Celery's {@code Request.info()}; {@code safe} gives the arguments as text, as Celery's argsrepr. */
    private ObjectNode info(CeleryNode.ActiveTask task, boolean safe) {
        ObjectNode info = CeleryJson.MAPPER.createObjectNode();
        info.put("id", task.id());
        info.put("name", task.name());
        if (safe) {
            info.put("args", task.argsJson());
            info.put("kwargs", task.kwargsJson());
        }
        else {
            info.set("args", parsed(task.argsJson(), true));
            info.set("kwargs", parsed(task.kwargsJson(), false));
        }
        info.put("type", task.name());
        info.put("hostname", node.nodename());
        info.put("time_start", task.startedAt().toEpochMilli() / 1000.0);
        info.put("acknowledged", true);
        ObjectNode delivery = info.putObject("delivery_info");
        delivery.put("exchange", "");
        delivery.put("routing_key", task.queue());
        delivery.put("priority", 0);
        delivery.put("redelivered", false);
        info.put("worker_pid", CeleryProtocol.pid());
        return info;
    }

    private static JsonNode parsed(String json, boolean list) {
        try {
            JsonNode value = CeleryJson.MAPPER.readTree(json);
            if (list ? value.isArray() : value.isObject()) {
                return value;
            }
        }
        catch (JacksonException ex) {
            // shown empty rather than failing the whole listing
        }
        return list ? CeleryJson.MAPPER.createArrayNode() : CeleryJson.MAPPER.createObjectNode();
    }

    /** Kombu's {@code Queue.as_dict(recurse=True)} of each queue, on the direct exchange of the same name. */
    private ArrayNode activeQueues() {
        ArrayNode queues = CeleryJson.MAPPER.createArrayNode();
        for (String queue : node.queues()) {
            ObjectNode entry = queues.addObject().put("name", queue);
            entry.putObject("exchange").put("name", queue).put("type", "direct").putNull("arguments")
                    .put("durable", true).put("passive", false).put("auto_delete", false).putNull("delivery_mode")
                    .put("no_declare", false);
            entry.put("routing_key", queue).putNull("queue_arguments").putNull("binding_arguments")
                    .putNull("consumer_arguments").put("durable", true).put("exclusive", false)
                    .put("auto_delete", false).put("no_ack", false).putNull("alias");
            entry.putArray("bindings");
            entry.putNull("no_declare").putNull("expires").putNull("message_ttl").putNull("max_length")
                    .putNull("max_length_bytes").putNull("max_priority");
        }
        return queues;
    }

    /** Celery's {@code WorkController.stats()}: the fields monitors read. */
    private ObjectNode stats() {
        ObjectNode stats = CeleryJson.MAPPER.createObjectNode();
        ObjectNode total = stats.putObject("total");
        for (Map.Entry<String, Long> count : node.totals().entrySet()) {
            total.put(count.getKey(), count.getValue());
        }
        stats.put("pid", CeleryProtocol.pid());
        stats.put("clock", Long.toString(lamport.get())); // Celery sends str(clock)
        stats.put("uptime", Math.round(Duration.between(node.startedAt(), clock.instant()).toMillis() / 1000.0));
        ObjectNode pool = stats.putObject("pool");
        pool.put("max-concurrency", node.concurrency());
        pool.putArray("processes").add(CeleryProtocol.pid());
        pool.put("max-tasks-per-child", "N/A");
        pool.put("put-guarded-by-semaphore", false);
        pool.putArray("timeouts").add(0).add(0);
        // the engine runs tasks on virtual threads from Java 21 on, on platform threads before
        pool.put("implementation", Runtime.version().feature() >= 21 ? "java virtual threads" : "java threads");
        ObjectNode broker = stats.putObject("broker");
        broker.put("hostname", brokerHost);
        broker.putNull("userid");
        broker.put("virtual_host", Integer.toString(redis.database()));
        broker.put("port", brokerPort);
        broker.put("transport", "redis");
        stats.put("prefetch_count", node.concurrency());
        stats.put("rusage", "N/A");
        return stats;
    }

    /** {@code {id: ["active", info]}} for each of the ids that runs here. */
    private ObjectNode queryTask(JsonNode ids) {
        Set<String> wanted = ids(ids);
        ObjectNode found = CeleryJson.MAPPER.createObjectNode();
        for (CeleryNode.ActiveTask task : node.active()) {
            if (wanted.contains(task.id())) {
                found.putArray(task.id()).add("active").add(info(task, false));
            }
        }
        return found;
    }

    /** Celery's {@code revoke}, with its replies word for word. */
    private ObjectNode revoke(JsonNode taskIds, boolean terminate) {
        Set<String> ids = ids(taskIds);
        List<String> running = new ArrayList<>();
        if (terminate) {
            for (CeleryNode.ActiveTask task : node.active()) {
                if (ids.contains(task.id())) {
                    running.add(task.id());
                }
            }
        }
        for (String id : ids) {
            node.revoke(id, terminate);
        }
        log.info("Tasks flagged as revoked on {}: {}", node.nodename(), String.join(", ", ids));
        if (terminate) {
            return ok(running.isEmpty() ? "terminate: tasks unknown" : "terminate: " + String.join(", ", running));
        }
        return ok("tasks " + String.join(", ", ids) + " flagged as revoked");
    }

    /** Mingle: a starting Python worker asks the others which tasks are revoked; a Java worker keeps none here. */
    private JsonNode hello(@Nullable String fromNode) {
        if (node.nodename().equals(fromNode)) {
            return NullNode.getInstance();
        }
        ObjectNode answer = CeleryJson.MAPPER.createObjectNode();
        answer.putObject("revoked");
        answer.put("clock", lamport.incrementAndGet());
        return answer;
    }

    /** Python's {@code maybe_list}: one id or a list of them. */
    private static Set<String> ids(JsonNode value) {
        Set<String> ids = new LinkedHashSet<>();
        if (value.isArray()) {
            value.forEach(id -> {
                if (id.isString()) {
                    ids.add(id.asString());
                }
            });
        }
        else if (value.isString()) {
            ids.add(value.asString());
        }
        return ids;
    }

    /** Only to a caller that still waits: its binding goes when it stops waiting (or it crashed). */
    private void reply(String oid, String ticket, JsonNode answer) {
        boolean waiting = redis.await(redis.commands().sismember(CeleryKeys.bindings(REPLY_EXCHANGE),
                CeleryKeys.binding(oid, CeleryKeys.replyQueue(oid))), "look up a Celery reply queue");
        if (!waiting) {
            return;
        }
        ObjectNode body = CeleryJson.MAPPER.createObjectNode();
        body.set(node.nodename(), answer);
        ObjectNode headers = CeleryJson.MAPPER.createObjectNode().put("ticket", ticket)
                .put("clock", lamport.incrementAndGet());
        redis.await(redis.commands().lpush(CeleryKeys.replyQueue(oid),
                CeleryEnvelopes.write(body, headers, REPLY_EXCHANGE, oid, 1)), "reply to Celery remote control");
    }
}
