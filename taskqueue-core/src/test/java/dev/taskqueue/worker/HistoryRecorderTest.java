package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.HistoryBatch;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.schedule.ManualClock;
import org.junit.jupiter.api.Test;

/** A worker's history counts, gathered in memory and flushed: kept through a failed flush, split by minute. */
class HistoryRecorderTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T10:00:30Z"));
    private final List<HistoryBatch> flushed = new ArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    private final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(),
            new Class<?>[] { Broker.class }, (proxy, method, args) -> {
                if (!method.getName().equals("recordHistory")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("Redis is down (thrown by the test)");
                }
                flushed.add((HistoryBatch) args[0]);
                return null;
            });

    private final HistoryRecorder recorder = new HistoryRecorder(new WorkerContext("w", broker,
            WorkerSettings.builder().queue("default").build(), TaskEventListener.of(List.of()), clock,
            new Problems(clock), new FatalErrors("w", WorkerSettings.OnFatalError.STOP, (thread, error) -> { })));

    @Test
    void countsSurviveAFailedFlushAndGoWithTheNext() {
        recorder.record("default", succeeded("a", 5));
        recorder.record("default", failed("b", 2_000));
        failuresLeft.set(1);

        assertThatThrownBy(recorder::flush).hasMessageContaining("Redis is down");
        recorder.record("default", succeeded("c", 50));
        recorder.flush();

        assertThat(flushed).singleElement().satisfies(batch -> {
            assertThat(batch.lagQueues()).containsExactly("default"); // sampled once this minute
            assertThat(batch.minute()).isEqualTo(clock.millis() / 60_000);
            assertThat(batch.counts()).singleElement().satisfies(c -> {
                assertThat(c.queue()).isEqualTo("default");
                assertThat(c.task()).isEqualTo("test.echo");
                assertThat(c.values()).containsExactly(3, 1, 0, 1, 1, 0, 1, 0, 0);
            });
        });
    }

    @Test
    void eachMinuteIsCountedApartAndLagIsSampledOncePerMinute() {
        recorder.record("default", succeeded("a", 5));
        recorder.flush();
        recorder.record("default", succeeded("b", 5));
        recorder.flush();
        clock.advance(Duration.ofMinutes(1));
        recorder.record("default", succeeded("c", 5));
        recorder.flush();
        recorder.flush(); // nothing new, lag already sampled: no call at all

        assertThat(flushed).extracting(b -> b.lagQueues().size()).containsExactly(1, 0, 1);
        assertThat(flushed).extracting(b -> b.counts().get(0).minute()).containsExactly(
                clock.millis() / 60_000 - 1, clock.millis() / 60_000 - 1, clock.millis() / 60_000);
    }

    private static Delivery delivery(String id) {
        return new Delivery("default", "0", "1-0", id, "{}".getBytes(StandardCharsets.UTF_8), 0, false);
    }

    private static Outcome succeeded(String id, long ranForMillis) {
        return Outcome.succeeded(delivery(id), "1").task("test.echo", 1).record(true, 60_000)
                .describing(new Outcome.Description(null, null, ranForMillis, -1)).build();
    }

    private static Outcome failed(String id, long ranForMillis) {
        return Outcome.failed(delivery(id), new TaskError("E", "m", null, false), "failed").task("test.echo", 1)
                .record(true, 60_000).describing(new Outcome.Description(null, null, ranForMillis, -1)).build();
    }
}
