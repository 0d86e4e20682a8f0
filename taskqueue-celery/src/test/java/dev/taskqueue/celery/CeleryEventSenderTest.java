package dev.taskqueue.celery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/** Celery's events as Flower hears them: {@code PSUBSCRIBE /<db>.celeryev/*} on a real Redis. */
class CeleryEventSenderTest {

    private static final int DB = 11;
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** 10:00:00.25 at UTC+2: Python's utcoffset says -2 (hours west). */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T08:00:00.250Z"), ZoneOffset.ofHours(2));
    private static final double TIMESTAMP = 1796284800.25;

    private CeleryTestRedis redis;
    private final FakeCeleryNode node = new FakeCeleryNode("w-java@test", Instant.parse("2026-12-03T07:00:00Z"));

    @BeforeEach
    void subscribe() {
        redis = new CeleryTestRedis(DB);
        redis.psubscribe("/" + DB + ".celeryev/*");
    }

    @AfterEach
    void close() {
        redis.close();
    }

    private CeleryEventSender sender(boolean taskEvents, Duration freq) {
        return new CeleryEventSender(redis.redis, node, new AtomicLong(), taskEvents, freq, CLOCK);
    }

    @Test
    void workerComesOnlineBeatsAndGoesOffline() throws Exception {
        node.processed = 7;
        node.active.add(task("t-1"));
        CeleryEventSender sender = sender(false, Duration.ofMillis(200));
        sender.start();

        CeleryTestRedis.Heard online = redis.next(WAIT);
        assertThat(online.channel()).isEqualTo("/" + DB + ".celeryev/worker.online");
        JsonNode envelope = online.envelope();
        assertThat(envelope.get("content-type").asString()).isEqualTo("application/json");
        assertThat(envelope.get("content-encoding").asString()).isEqualTo("utf-8");
        assertThat(envelope.get("headers")).isEqualTo(json("{\"hostname\": \"w-java@test\"}"));
        JsonNode properties = envelope.get("properties");
        assertThat(properties.get("delivery_mode").asInt()).isEqualTo(1);
        assertThat(properties.get("delivery_info"))
                .isEqualTo(json("{\"exchange\": \"celeryev\", \"routing_key\": \"worker.online\"}"));
        assertThat(properties.get("priority").asInt()).isZero();
        assertThat(properties.get("body_encoding").asString()).isEqualTo("base64");
        assertThat(properties.get("delivery_tag").asString()).hasSize(36);
        ObjectNode body = (ObjectNode) online.body();
        assertThat(body.remove("loadavg")).hasSize(3);
        assertThat(body.remove("sw_sys").asString()).isEqualTo(CeleryProtocol.system());
        assertThat(body).isEqualTo(json("""
                {"type": "worker-online", "hostname": "w-java@test", "timestamp": %s, "utcoffset": -2, "pid": %d,
                 "clock": 1, "freq": 0.2, "active": 1, "processed": 7, "sw_ident": "java-celery", "sw_ver": "0.1.0"}
                """.formatted(TIMESTAMP, CeleryProtocol.pid())));

        node.processed = 8;
        for (int clock = 2; clock <= 3; clock++) {
            CeleryTestRedis.Heard beat = redis.next(WAIT);
            assertThat(beat.channel()).isEqualTo("/" + DB + ".celeryev/worker.heartbeat");
            assertThat(beat.envelope().get("properties").get("delivery_info").get("routing_key").asString())
                    .isEqualTo("worker.heartbeat");
            JsonNode heartbeat = beat.body();
            assertThat(heartbeat.get("type").asString()).isEqualTo("worker-heartbeat");
            assertThat(heartbeat.get("clock").asLong()).isEqualTo(clock);
            assertThat(heartbeat.get("active").asInt()).isEqualTo(1);
            assertThat(heartbeat.get("processed").asLong()).isEqualTo(8);
            assertThat(heartbeat.get("freq").asDouble()).isEqualTo(0.2);
        }

        sender.close();
        CeleryTestRedis.Heard offline = redis.next("/" + DB + ".celeryev/worker.offline", WAIT);
        assertThat(offline).as("worker-offline on close").isNotNull();
        assertThat(offline.body().get("type").asString()).isEqualTo("worker-offline");
        assertThat(offline.body().get("processed").asLong()).isEqualTo(8);
        // close() waits for the executor to terminate, which it does just before its thread returns: give it that
        await("the events thread ends").atMost(Duration.ofSeconds(2)).until(() -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(thread -> thread.getName().equals("taskqueue-celery-events-" + node.nodename())
                        && thread.isAlive()));
    }

    @Test
    void taskEventsGoOutTogetherAsOneTaskMulti() throws Exception {
        CeleryEventSender sender = sender(true, Duration.ofMinutes(1));
        sender.start();
        assertThat(redis.next(WAIT).channel()).endsWith("/worker.online");

        sender.taskReceived("t-1", "proj.add", "(3, 4)", "{}", "t-1", null, 0, null,
                Instant.parse("2026-12-03T08:10:00Z"));
        sender.taskStarted("t-1");
        sender.taskSucceeded("t-1", "7", 0.5);

        CeleryTestRedis.Heard multi = redis.next(WAIT);
        assertThat(multi.channel()).isEqualTo("/" + DB + ".celeryev/task.multi");
        assertThat(multi.envelope().get("properties").get("delivery_info"))
                .isEqualTo(json("{\"exchange\": \"celeryev\", \"routing_key\": \"task.multi\"}"));
        String standard = "\"hostname\": \"w-java@test\", \"timestamp\": %s, \"utcoffset\": -2, \"pid\": %d"
                .formatted(TIMESTAMP, CeleryProtocol.pid());
        assertThat(multi.body()).isEqualTo(json("""
                [{"type": "task-received", %1$s, "clock": 2, "uuid": "t-1", "name": "proj.add", "args": "(3, 4)",
                  "kwargs": "{}", "root_id": "t-1", "parent_id": null, "retries": 0, "eta": null,
                  "expires": "2026-12-03T08:10:00.000000+00:00"},
                 {"type": "task-started", %1$s, "clock": 3, "uuid": "t-1"},
                 {"type": "task-succeeded", %1$s, "clock": 4, "uuid": "t-1", "result": "7", "runtime": 0.5}]
                """.formatted(standard)));
        sender.close();
    }

    @Test
    void failedRetriedAndRevokedTasksCarryCeleryFields() throws Exception {
        CeleryEventSender sender = sender(true, Duration.ofMinutes(1));
        sender.taskFailed("t-1", "ValueError('boom')", "Traceback ...");
        sender.taskRetried("t-2", "Retry(...)", "Traceback ...");
        sender.taskRevoked("t-3", false, true);
        sender.taskRevoked("t-4", true, false);
        sender.flush();

        JsonNode events = redis.next(WAIT).body();
        assertThat(events).hasSize(4);
        assertThat(events.get(0).get("type").asString()).isEqualTo("task-failed");
        assertThat(events.get(0).get("exception").asString()).isEqualTo("ValueError('boom')");
        assertThat(events.get(0).get("traceback").asString()).isEqualTo("Traceback ...");
        assertThat(events.get(1).get("type").asString()).isEqualTo("task-retried");
        assertThat(events.get(1).get("exception").asString()).isEqualTo("Retry(...)");
        assertThat(events.get(2).get("type").asString()).isEqualTo("task-revoked");
        assertThat(events.get(2).get("terminated").asBoolean()).isFalse();
        assertThat(events.get(2).get("expired").asBoolean()).isTrue();
        assertThat(events.get(2).get("signum").isNull()).isTrue();
        assertThat(events.get(3).get("signum").asInt()).isEqualTo(15);
    }

    @Test
    void aFullBufferGoesAtOnce() throws Exception {
        CeleryEventSender sender = sender(true, Duration.ofMinutes(1)); // not started: no timer would flush
        for (int i = 0; i < CeleryEventSender.FLUSH_SIZE; i++) {
            sender.taskStarted("t-" + i);
        }
        CeleryTestRedis.Heard multi = redis.next(WAIT);
        assertThat(multi).isNotNull();
        assertThat(multi.body()).hasSize(CeleryEventSender.FLUSH_SIZE);
    }

    @Test
    void bufferedTaskEventsGoOutWithinTheFlushInterval() throws Exception {
        CeleryEventSender sender = sender(true, Duration.ofMinutes(1));
        sender.start();
        redis.next(WAIT); // online
        sender.taskStarted("t-1");
        CeleryTestRedis.Heard multi = redis.next(Duration.ofSeconds(2));
        assertThat(multi).as("flushed by the timer, no flush() called").isNotNull();
        assertThat(multi.body().get(0).get("uuid").asString()).isEqualTo("t-1");
        sender.close();
    }

    @Test
    void taskEventsAreNotSentUnlessEnabled() throws Exception {
        CeleryEventSender sender = sender(false, Duration.ofMinutes(1));
        sender.start();
        sender.taskReceived("t-1", "proj.add", "()", "{}", null, null, 0, null, null);
        sender.taskStarted("t-1");
        sender.flush();
        sender.close();
        assertThat(redis.next(WAIT).channel()).endsWith("/worker.online");
        assertThat(redis.next(WAIT).channel()).endsWith("/worker.offline");
        assertThat(redis.next(Duration.ofMillis(300))).isNull();
    }

    @Test
    void aBrokenRedisNeverReachesTheCaller() {
        CeleryEventSender sender = sender(true, Duration.ofMillis(50));
        redis.redis.close(); // every publish now fails
        assertThatNoException().isThrownBy(() -> {
            sender.start();
            sender.taskStarted("t-1");
            sender.flush();
            assertThat(sender.workerHeartbeat(0, 0)).isNull();
            Thread.sleep(150); // heartbeats fail on the events thread too
            sender.close();
        });
    }

    @Test
    void utcOffsetIsWholeHoursWestOfUtcAsPythonComputesIt() {
        Instant winter = Instant.parse("2026-12-03T08:00:00Z");
        Instant summer = Instant.parse("2026-07-03T08:00:00Z");
        assertThat(CeleryEventSender.utcoffset(Clock.system(ZoneOffset.UTC), winter)).isZero();
        assertThat(CeleryEventSender.utcoffset(Clock.system(ZoneId.of("Europe/Berlin")), winter)).isEqualTo(-1);
        assertThat(CeleryEventSender.utcoffset(Clock.system(ZoneId.of("Europe/Berlin")), summer)).isEqualTo(-2);
        assertThat(CeleryEventSender.utcoffset(Clock.system(ZoneId.of("America/New_York")), winter)).isEqualTo(5);
        assertThat(CeleryEventSender.utcoffset(Clock.system(ZoneId.of("Asia/Kolkata")), winter)).isEqualTo(-6);
    }

    private static CeleryNode.ActiveTask task(String id) {
        return new CeleryNode.ActiveTask(id, "proj.add", "[3, 4]", "{}", "celery", Instant.parse(
                "2026-12-03T07:59:00Z"), "tag-" + id, 0);
    }

    private static JsonNode json(String text) {
        return CeleryJson.MAPPER.readTree(text);
    }
}
