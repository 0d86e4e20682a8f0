package dev.taskqueue.celery;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Outcome;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a Celery task's end is recorded, as a Python worker records it: the one place where an outcome becomes its meta
 * in Celery's result backend, the messages that follow it, its part of a chord and its event. Each end is written
 * into a {@link CeleryQueues.Finish}, which the worker stores with the acknowledgement in one script.
 * <ul>
 * <li>success: SUCCESS with the result, then callbacks and the chain's next step;</li>
 * <li>retry: RETRY with the error, and the same task again (same id, {@code retries + 1}, an ETA, itself as
 * parent);</li>
 * <li>failure or revocation: FAILURE or REVOKED with Celery's exception object, then errbacks;</li>
 * <li>a chord header task, whatever its end: its part, and the chord's body (or the body's failure) when it was the
 * last;</li>
 * <li>a message that cannot be read: the dead letters, with the reason, and FAILURE when it has an id.</li>
 * </ul>
 */
final class CeleryEndings {

    private static final Logger log = LoggerFactory.getLogger(CeleryEndings.class);

    /** Where refused messages wait, newest first, with their reason. */
    static final String DEAD_LETTERS = "taskqueue-celery:dead";

    private static final int MAX_DEAD_LETTERS = 10_000;

    private final String nodename;
    private final CeleryRedis redis;
    private final CeleryQueues queues;
    private final CeleryFollowUps followUps;
    private final long resultTtlSeconds;
    private final Clock clock;
    private final String origin = CeleryProtocol.origin();
    private volatile CeleryWorkerEvents events = CeleryWorkerEvents.NONE;

    CeleryEndings(String nodename, CeleryRedis redis, CeleryQueues queues, CeleryFollowUps followUps,
            long resultTtlSeconds, Clock clock) {
        this.nodename = nodename;
        this.redis = redis;
        this.queues = queues;
        this.followUps = followUps;
        this.resultTtlSeconds = resultTtlSeconds;
        this.clock = clock;
    }

    void events(CeleryWorkerEvents events) {
        this.events = events;
    }

    /** Stores STARTED at once (Celery's {@code task_track_started}): it is not an end, and must not wait for one. */
    void started(CeleryMessage message) {
        ObjectNode started = CeleryMeta.of(message, CeleryProtocol.STARTED, nodename, clock.instant());
        started.putObject("result").put("pid", CeleryProtocol.pid()).put("hostname", nodename);
        CeleryResults.STORE.run(redis, "store a Celery task's STARTED", ScriptOutputType.INTEGER,
                List.of(CeleryKeys.result(message.id())), List.of(Long.toString(resultTtlSeconds), json(started)));
    }

    /** Revoked (by a revocation, or because it expired): not run, REVOKED as Celery stores it. */
    void revoked(CeleryMessage message, CeleryQueues.Finish finish, boolean expired) {
        end(message, finish, CeleryProtocol.REVOKED, CeleryMeta.exception("TaskRevokedError", "celery.exceptions",
                expired ? "expired" : "revoked"), null);
        events.revoked(message, expired);
    }

    /** No {@code @Task} of its name here: FAILURE as Celery's {@code NotRegistered}, and kept in the dead letters. */
    void unregistered(CeleryMessage message, CeleryQueues.Finish finish) {
        String reason = "Received unregistered task of type '" + message.task() + "': Java worker " + nodename
                + " has no @Task of that name. Route it to a queue whose workers run it (Celery's task_routes), or "
                + "declare it here";
        log.error("Task [{}] from queue {}: {}", message.id(), message.queue(), reason);
        deadLetter(message.queue(), reason, message.envelope());
        failed(message, finish, CeleryMeta.exception("NotRegistered", "celery.exceptions", message.task()), reason,
                null);
    }

    void succeeded(CeleryMessage message, CeleryQueues.Finish finish, boolean storesResult, Outcome outcome) {
        JsonNode result = CeleryJson.MAPPER.nullNode();
        if (outcome.resultJson() != null) {
            try {
                result = CeleryJson.MAPPER.readTree(outcome.resultJson());
            }
            catch (JacksonException ex) {
                result = CeleryJson.MAPPER.getNodeFactory().stringNode(outcome.resultJson());
            }
        }
        if (storesResult) {
            ObjectNode meta = CeleryMeta.of(message, CeleryProtocol.SUCCESS, nodename, clock.instant());
            meta.set("result", result);
            finish.result(message.id(), json(meta));
        }
        for (CeleryOutgoing next : followUps.afterSuccess(message, result)) {
            finish.send(next, origin);
        }
        chordPart(message, finish, CeleryProtocol.SUCCESS, result);
        events.succeeded(message, result.toString(), outcome.ranForMillis() / 1000.0);
    }

    void retry(CeleryMessage message, CeleryQueues.Finish finish, Outcome outcome) {
        TaskError error = outcome.error();
        ObjectNode meta = CeleryMeta.of(message, CeleryProtocol.RETRY, nodename, clock.instant());
        if (error != null) {
            meta.set("result", CeleryMeta.exception(error));
            meta.put("traceback", error.stackTrace());
        }
        finish.result(message.id(), json(meta));
        long delay = outcome.retry() != null ? outcome.retry().delayMillis() : 1000;
        ObjectNode envelope = (ObjectNode) CeleryJson.MAPPER.readTree(message.envelope());
        ObjectNode headers = (ObjectNode) envelope.get("headers");
        headers.put("retries", message.retries() + 1);
        headers.put("eta", CeleryJson.iso(clock.instant().plusMillis(delay)));
        headers.put("parent_id", message.id());
        headers.remove("redelivered");
        ObjectNode properties = envelope.withObjectProperty("properties");
        properties.put("delivery_tag", UUID.randomUUID().toString());
        properties.withObjectProperty("delivery_info").remove("redelivered");
        finish.send(message.queue(), CeleryKeys.queueKey(message.queue(), message.priority()), json(envelope));
        events.retried(message, repr(error), error != null && error.stackTrace() != null ? error.stackTrace() : "");
    }

    /** A failure: its meta, its errbacks, its part of a chord. */
    void failed(CeleryMessage message, CeleryQueues.Finish finish, ObjectNode exception, String summary,
            @Nullable String traceback) {
        end(message, finish, CeleryProtocol.FAILURE, exception, traceback);
        events.failed(message, exception.path("exc_type").asString() + "(" + summary + ")",
                traceback != null ? traceback : "");
    }

    /** An end in an exception state (FAILURE or REVOKED): what it stores, its errbacks, its chord part. */
    private void end(CeleryMessage message, CeleryQueues.Finish finish, String status, ObjectNode exception,
            @Nullable String traceback) {
        if (!message.ignoreResult()) {
            ObjectNode meta = CeleryMeta.of(message, status, nodename, clock.instant());
            meta.set("result", exception);
            meta.put("traceback", traceback);
            finish.result(message.id(), json(meta));
        }
        for (CeleryOutgoing next : followUps.afterFailure(message)) {
            finish.send(next, origin);
        }
        chordPart(message, finish, status, exception);
    }

    /**
     * Reports a chord header task's end (Celery's {@code on_chord_part_return} on Redis); the part that completes the
     * chord sends its body with the results in order, or, when a part failed, fails the body with
     * {@code ChordError} and sends the body's errbacks.
     */
    private void chordPart(CeleryMessage message, CeleryQueues.Finish finish, String status, JsonNode value) {
        JsonNode body = message.embed().get("chord");
        String groupId = message.groupId();
        if (body == null || !body.isObject() || groupId == null) {
            return;
        }
        ArrayNode part = CeleryJson.MAPPER.createArrayNode().add(1).add(message.id()).add(status).add(value);
        List<String> parts = queues.chordPart(groupId, message.groupIndex(), json(part), resultTtlSeconds);
        if (parts.isEmpty()) {
            return;
        }
        ArrayNode results = CeleryJson.MAPPER.createArrayNode();
        String failure = null;
        for (String entry : parts) {
            JsonNode decoded = CeleryJson.MAPPER.readTree(entry);
            String state = decoded.path(2).asString();
            if (CeleryProtocol.FAILURE.equals(state) || CeleryProtocol.REVOKED.equals(state)) {
                JsonNode exc = decoded.path(3);
                failure = "Dependency " + decoded.path(1).asString() + " raised " + exc.path("exc_type").asString()
                        + "(" + exc.path("exc_message").toString() + ")";
                break;
            }
            results.add(decoded.path(3));
        }
        if (failure == null) {
            finish.send(followUps.chordBody(body, results, message), origin);
        }
        else {
            String bodyId = CeleryFollowUps.taskIdOf(body);
            if (bodyId != null) {
                finish.result(bodyId, json(CeleryMeta.failure(bodyId, body.path("task").asString(),
                        CeleryMeta.exception("ChordError", "celery.exceptions", failure), clock.instant())));
                for (CeleryOutgoing next : followUps.bodyErrbacks(body, bodyId, message)) {
                    finish.send(next, origin);
                }
            }
        }
        finish.drop(CeleryKeys.chordParts(groupId));
        finish.drop(CeleryKeys.chordExtra(groupId));
        finish.drop(CeleryKeys.chordSize(groupId));
    }

    /** A message that is not Celery JSON protocol 2: dead-lettered with the reason, failed if it has an id. */
    void refuse(CeleryQueues.Taken taken, String reason) {
        log.error("Refused a message from Celery queue {}: {}. It is kept in {} with the reason", taken.queue(),
                reason, DEAD_LETTERS);
        try {
            deadLetter(taken.queue(), reason, taken.envelope());
            CeleryQueues.Finish finish = new CeleryQueues.Finish(taken.tag());
            String id = idOf(taken.envelope());
            if (id != null) {
                finish.result(id, json(CeleryMeta.failure(id, null, CeleryMeta.exception("ContentDisallowed",
                        "kombu.exceptions", reason), clock.instant())));
            }
            queues.finish(List.of(finish), resultTtlSeconds);
        }
        catch (RuntimeException ex) {
            log.error("Could not set aside the refused message; it stays held and comes back", ex);
        }
    }

    private void deadLetter(String queue, String reason, String envelope) {
        ObjectNode letter = CeleryJson.MAPPER.createObjectNode();
        letter.put("queue", queue);
        letter.put("reason", reason);
        letter.put("worker", nodename);
        letter.put("at", CeleryJson.iso(clock.instant()));
        letter.put("envelope", envelope);
        var commands = redis.commands();
        commands.lpush(DEAD_LETTERS, json(letter));
        redis.await(commands.ltrim(DEAD_LETTERS, 0, MAX_DEAD_LETTERS - 1), "keep a refused Celery message");
    }

    private static @Nullable String idOf(String envelope) {
        try {
            return CeleryMessage.text(CeleryJson.MAPPER.readTree(envelope).path("headers").get("id"));
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    private static String repr(@Nullable TaskError error) {
        if (error == null) {
            return "Retry()";
        }
        String type = error.type().substring(error.type().lastIndexOf('.') + 1);
        return type + "(" + (error.message() != null ? "'" + error.message() + "'" : "") + ")";
    }

    private static String json(JsonNode node) {
        return CeleryJson.MAPPER.writeValueAsString(node);
    }

}
