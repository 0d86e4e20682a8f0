package dev.taskqueue.celery;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.KeyValue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Celery's remote control on a real Redis: requests written as Python's kombu writes them, replies read from the
 * caller's list with {@code BRPOP}, as {@code app.control.inspect()} reads them.
 */
class CeleryRemoteControlTest {

    private static final int DB = 12;
    private static final String NODE = "w-java@test";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T08:00:00Z"), ZoneOffset.UTC);

    private CeleryTestRedis redis;
    private final FakeCeleryNode node = new FakeCeleryNode(NODE, Instant.parse("2026-12-03T07:00:00Z"));
    private CeleryRemoteControl control;
    private final String oid = UUID.randomUUID().toString();

    @BeforeEach
    void start() {
        redis = new CeleryTestRedis(DB);
        control = new CeleryRemoteControl(redis.redis, node, new AtomicLong(), "redis.example", 6379, CLOCK);
        control.start();
        // the caller's reply queue, as kombu declares it before it broadcasts
        redis.sync.sadd("_kombu.binding.reply.celery.pidbox", oid + "\u0006\u0016\u0006\u0016" + oid
                + ".reply.celery.pidbox");
    }

    @AfterEach
    void stop() {
        control.close();
        redis.close();
    }

    @Test
    void startBindsTheMailboxAndCloseUnbindsIt() {
        assertThat(redis.sync.smembers("_kombu.binding.celery.pidbox"))
                .containsExactly("\u0006\u0016\u0006\u0016" + NODE + ".celery.pidbox");
        control.close();
        assertThat(redis.sync.smembers("_kombu.binding.celery.pidbox")).isEmpty();
    }

    @Test
    void pingIsAnsweredWithPongInKombusReplyEnvelope() {
        String ticket = broadcast("ping", "{}", null, true);
        JsonNode envelope = CeleryJson.MAPPER.readTree(nextReply());
        assertThat(envelope.get("content-type").asString()).isEqualTo("application/json");
        assertThat(envelope.get("content-encoding").asString()).isEqualTo("utf-8");
        assertThat(envelope.get("headers").get("ticket").asString()).isEqualTo(ticket);
        assertThat(envelope.get("headers").get("clock").asLong()).isPositive();
        JsonNode properties = envelope.get("properties");
        assertThat(properties.get("delivery_mode").asInt()).isEqualTo(1);
        assertThat(properties.get("delivery_info"))
                .isEqualTo(json("{\"exchange\": \"reply.celery.pidbox\", \"routing_key\": \"" + oid + "\"}"));
        assertThat(properties.get("body_encoding").asString()).isEqualTo("base64");
        assertThat(decode(envelope)).isEqualTo(json("{\"" + NODE + "\": {\"ok\": \"pong\"}}"));
    }

    @Test
    void activeListsRunningTasksAsCeleryRequestInfo() {
        node.active.add(new CeleryNode.ActiveTask("t-1", "proj.add", "[3, 4]", "{\"z\": 1}", "celery",
                Instant.parse("2026-12-03T07:59:30.5Z"), "tag-1", 0));
        broadcast("active", "{}", List.of(NODE), true);
        assertThat(answer(nextReply())).isEqualTo(json("""
                [{"id": "t-1", "name": "proj.add", "args": [3, 4], "kwargs": {"z": 1}, "type": "proj.add",
                  "hostname": "w-java@test", "time_start": 1796284770.5, "acknowledged": true,
                  "delivery_info": {"exchange": "", "routing_key": "celery", "priority": 0, "redelivered": false},
                  "worker_pid": %d}]
                """.formatted(CeleryProtocol.pid())));
    }

    @Test
    void queryTaskFindsActiveTasksOnly() {
        node.active.add(new CeleryNode.ActiveTask("t-1", "proj.add", "[]", "{}", "celery", CLOCK.instant(), null, 0));
        broadcast("query_task", "{\"ids\": [\"t-1\", \"t-2\"]}", null, true);
        JsonNode answer = answer(nextReply());
        assertThat(answer.propertyNames()).containsExactly("t-1");
        assertThat(answer.get("t-1").get(0).asString()).isEqualTo("active");
        assertThat(answer.get("t-1").get(1).get("id").asString()).isEqualTo("t-1");
    }

    @Test
    void emptyListsForReservedAndScheduled() {
        broadcast("reserved", "{}", null, true);
        assertThat(answer(nextReply())).isEqualTo(json("[]"));
        broadcast("scheduled", "{}", null, true);
        assertThat(answer(nextReply())).isEqualTo(json("[]"));
    }

    @Test
    void statsSaysWhatMonitorsRead() {
        node.totals = Map.of("proj.add", 3L);
        broadcast("stats", "{}", null, true);
        JsonNode stats = answer(nextReply());
        assertThat(stats.get("total")).isEqualTo(json("{\"proj.add\": 3}"));
        assertThat(stats.get("pid").asLong()).isEqualTo(CeleryProtocol.pid());
        assertThat(stats.get("clock").isString()).as("Celery sends str(clock)").isTrue();
        assertThat(stats.get("uptime").asLong()).isEqualTo(3600);
        assertThat(stats.get("pool").get("max-concurrency").asInt()).isEqualTo(8);
        assertThat(stats.get("pool").get("implementation").asString()).startsWith("java ");
        assertThat(stats.get("broker").get("transport").asString()).isEqualTo("redis");
        assertThat(stats.get("broker").get("hostname").asString()).isEqualTo("redis.example");
        assertThat(stats.get("prefetch_count").asInt()).isEqualTo(8);
    }

    @Test
    void revokeFlagsEveryIdAndRepliesAsCelery() {
        broadcast("revoke", "{\"task_id\": [\"t-1\", \"t-2\"], \"terminate\": false, \"signal\": \"SIGTERM\"}", null,
                true);
        assertThat(answer(nextReply())).isEqualTo(json("{\"ok\": \"tasks t-1, t-2 flagged as revoked\"}"));
        assertThat(node.revoked).isEqualTo(Map.of("t-1", false, "t-2", false));
    }

    @Test
    void revokeWithTerminateSaysWhichRunningTasksItStops() {
        node.active.add(new CeleryNode.ActiveTask("t-1", "proj.add", "[]", "{}", "celery", CLOCK.instant(), null, 0));
        broadcast("revoke", "{\"task_id\": \"t-1\", \"terminate\": true, \"signal\": \"SIGTERM\"}", null, true);
        assertThat(answer(nextReply())).isEqualTo(json("{\"ok\": \"terminate: t-1\"}"));
        assertThat(node.revoked).isEqualTo(Map.of("t-1", true));
    }

    @Test
    void revokeWithoutReplyToIsActedOnSilently() {
        // celery's control.revoke() sends no ticket and no reply_to
        broadcast("revoke", "{\"task_id\": \"t-9\", \"terminate\": false, \"signal\": \"SIGTERM\"}", null, false);
        broadcast("ping", "{}", null, true);
        assertThat(answer(nextReply())).isEqualTo(json("{\"ok\": \"pong\"}"));
        assertThat(node.revokedIds()).containsExactly("t-9");
        assertThat(redis.sync.llen(oid + ".reply.celery.pidbox")).isZero();
    }

    @Test
    void helloFromAnotherWorkerGetsNoRevokedTasksAndAClock() {
        broadcast("hello", "{\"from_node\": \"w1@lab\", \"revoked\": {}}", null, true);
        JsonNode answer = answer(nextReply());
        assertThat(answer.get("revoked")).isEqualTo(json("{}"));
        assertThat(answer.get("clock").asLong()).isPositive();
    }

    @Test
    void anUnknownCommandGetsKombusErrorReply() {
        broadcast("no_such_command", "{}", null, true);
        assertThat(answer(nextReply())).isEqualTo(json("{\"error\": \"KeyError('no_such_command')\"}"));
    }

    @Test
    void shutdownIsIgnored() {
        broadcast("shutdown", "{}", null, true);
        String ticket = broadcast("ping", "{}", null, true);
        String reply = nextReply();
        assertThat(CeleryJson.MAPPER.readTree(reply).get("headers").get("ticket").asString()).isEqualTo(ticket);
    }

    @Test
    void aRequestForAnotherWorkerGetsNoReply() {
        broadcast("ping", "{}", List.of("w1@lab"), true);
        String ticket = broadcast("ping", "{}", List.of("w1@lab", NODE), true);
        assertThat(CeleryJson.MAPPER.readTree(nextReply()).get("headers").get("ticket").asString()).isEqualTo(ticket);
        assertThat(redis.sync.llen(oid + ".reply.celery.pidbox")).isZero();
    }

    @Test
    void aGlobPatternChoosesTheWorker() {
        publish(request("ping", "{}", null, "other@*", "glob", UUID.randomUUID().toString()));
        String ticket = UUID.randomUUID().toString();
        publish(request("ping", "{}", null, "w-java@*", "glob", ticket));
        assertThat(CeleryJson.MAPPER.readTree(nextReply()).get("headers").get("ticket").asString()).isEqualTo(ticket);
        assertThat(redis.sync.llen(oid + ".reply.celery.pidbox")).isZero();
    }

    @Test
    void garbageIsIgnoredAndTheNextRequestAnswered() {
        publish("not json at all");
        publish("{\"body\": \"not base64!\", \"content-type\": \"application/json\", \"properties\": "
                + "{\"body_encoding\": \"base64\"}}");
        publish(envelope("{\"no\": \"method\"}", 0));
        publish(envelope("[1, 2]", 0));
        broadcast("ping", "{}", null, true);
        assertThat(answer(nextReply())).isEqualTo(json("{\"ok\": \"pong\"}"));
    }

    @Test
    void aCallerThatStoppedWaitingGetsNoReply() throws InterruptedException {
        redis.sync.del("_kombu.binding.reply.celery.pidbox");
        broadcast("ping", "{}", null, true);
        handledSoFar();
        redis.sync.sadd("_kombu.binding.reply.celery.pidbox", oid + "\u0006\u0016\u0006\u0016" + oid
                + ".reply.celery.pidbox");
        String ticket = broadcast("ping", "{}", null, true);
        assertThat(CeleryJson.MAPPER.readTree(nextReply()).get("headers").get("ticket").asString()).isEqualTo(ticket);
        assertThat(redis.sync.llen(oid + ".reply.celery.pidbox")).isZero();
    }

    @Test
    void anExpiredRequestIsDropped() {
        String expired = request("ping", "{}", null, null, null, UUID.randomUUID().toString())
                .replace("\"expires\": 0", "\"expires\": " + (CLOCK.millis() / 1000.0 - 1));
        publish(expired);
        String ticket = broadcast("ping", "{}", null, true);
        assertThat(CeleryJson.MAPPER.readTree(nextReply()).get("headers").get("ticket").asString()).isEqualTo(ticket);
    }

    @Test
    void globsMatchAsFnmatch() {
        assertThat(CeleryRemoteControl.matches("w1@lab", "w?@*", "glob")).isTrue();
        assertThat(CeleryRemoteControl.matches("w1@lab", "w[0-9]@lab", "glob")).isTrue();
        assertThat(CeleryRemoteControl.matches("w1@lab", "w[!0-9]@lab", "glob")).isFalse();
        assertThat(CeleryRemoteControl.matches("w1.x@lab", "w1.x@*", "glob")).isTrue();
        assertThat(CeleryRemoteControl.matches("w1x@lab", "w1.x@*", "glob")).isFalse();
        assertThat(CeleryRemoteControl.matches("w1@lab", "w1", "pcre")).isTrue();
        assertThat(CeleryRemoteControl.matches("w1@lab", "lab", "pcre")).isFalse();
    }

    /** Waits until the requests sent so far are handled: they are, one at a time, in order. */
    private void handledSoFar() throws InterruptedException {
        String marker = "marker-" + UUID.randomUUID();
        broadcast("revoke", "{\"task_id\": \"" + marker + "\"}", null, false);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!node.isRevoked(marker) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(node.isRevoked(marker)).as("requests handled within 5 s").isTrue();
    }

    /** Broadcasts as {@code app.control.broadcast} does; with a reply wanted, returns the ticket. */
    private String broadcast(String method, String arguments, @Nullable List<String> destination, boolean reply) {
        String ticket = reply ? UUID.randomUUID().toString() : null;
        publish(request(method, arguments, destination, null, null, ticket));
        return ticket;
    }

    /** A request envelope as kombu 5.2's {@code Mailbox._broadcast} writes it. */
    private String request(String method, String arguments, @Nullable List<String> destination,
            @Nullable String pattern, @Nullable String matcher, @Nullable String ticket) {
        String body = "{\"method\": \"" + method + "\", \"arguments\": " + arguments + ", \"destination\": "
                + (destination == null ? "null" : CeleryJson.MAPPER.writeValueAsString(destination))
                + ", \"pattern\": " + (pattern == null ? "null" : "\"" + pattern + "\"")
                + ", \"matcher\": " + (matcher == null ? "null" : "\"" + matcher + "\"")
                + (ticket == null ? "" : ", \"ticket\": \"" + ticket + "\", \"reply_to\": {\"exchange\": "
                        + "\"reply.celery.pidbox\", \"routing_key\": \"" + oid + "\"}")
                + "}";
        return envelope(body, 0);
    }

    private static String envelope(String body, double expires) {
        return "{\"body\": \"" + Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8))
                + "\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": "
                + "{\"clock\": 3, \"expires\": " + (expires == 0 ? "0" : expires) + "}, \"properties\": "
                + "{\"delivery_mode\": 2, \"delivery_info\": {\"exchange\": \"celery.pidbox\", \"routing_key\": \"\"}, "
                + "\"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \"" + UUID.randomUUID() + "\"}}";
    }

    private void publish(String envelope) {
        redis.sync.publish("/" + DB + ".celery.pidbox", envelope);
    }

    /** The next reply on the caller's list, as kombu's {@code Mailbox._collect} pops it. */
    private String nextReply() {
        KeyValue<String, String> reply = redis.sync.brpop(5, oid + ".reply.celery.pidbox");
        assertThat(reply).as("a reply within 5 s").isNotNull();
        return reply.getValue();
    }

    /** Our node's answer in a reply. */
    private static JsonNode answer(String reply) {
        JsonNode body = decode(CeleryJson.MAPPER.readTree(reply));
        assertThat(body.propertyNames()).containsExactly(NODE);
        return body.get(NODE);
    }

    private static JsonNode decode(JsonNode envelope) {
        return CeleryJson.MAPPER.readTree(new String(Base64.getDecoder().decode(envelope.get("body").asString()),
                StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) {
        return CeleryJson.MAPPER.readTree(text);
    }
}
