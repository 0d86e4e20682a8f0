package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The rule of {@link AdaptiveConcurrency}, on a clock the test moves: each "window" is one decision interval in which
 * the test reports the runs that ended and the claims made, as the processor and the fetcher do.
 */
class AdaptiveConcurrencyTest {

    private static final long SHORT_RUN = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long LONG_RUN = TimeUnit.MILLISECONDS.toNanos(50);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Integer> counts = new ArrayList<>();

    private AdaptiveConcurrency control(WorkerSettings settings, Slots slots) {
        return new AdaptiveConcurrency("w", settings, slots, clock::get);
    }

    /** One interval passes with {@code runs} runs of {@code nanos} each, and claims full or not; then a decision. */
    private void window(AdaptiveConcurrency control, int runs, long nanos, boolean fullClaims, int ackBacklog) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(AdaptiveConcurrency.INTERVAL_MILLIS));
        for (int i = 0; i < runs; i++) {
            control.finished(nanos);
        }
        int asked = control.current();
        control.claimed(asked, fullClaims ? asked : asked / 4);
        control.adjust(ackBacklog);
        counts.add(control.current());
    }

    @Test
    void shortTasksWithABacklogGrowToTheCeilingByDoubling() {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(256).build();
        Slots slots = new Slots(settings.concurrency());
        AdaptiveConcurrency control = control(settings, slots);
        for (int i = 0; i < 6; i++) {
            window(control, 2 * control.current(), SHORT_RUN, true, 0);
        }
        assertThat(counts).containsExactly(32, 64, 128, 256, 256, 256);
        assertThat(slots.free()).isEqualTo(256);
    }

    @Test
    void byDefaultConcurrencyAdaptsFromSixteenTo256OnAnyThreads() {
        WorkerSettings settings = WorkerSettings.builder().build();
        assertThat(settings.adaptiveConcurrency()).isTrue();
        assertThat(settings.concurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY).isEqualTo(16);
        assertThat(settings.maxConcurrency()).isEqualTo(WorkerSettings.DEFAULT_MAX_CONCURRENCY).isEqualTo(256);
        assertThat(WorkerSettings.builder().virtualThreads(false).build().maxConcurrency()).isEqualTo(256);
    }

    @Test
    void longTasksBringItBackToTheFloorWithoutTouchingRunningTasks() throws InterruptedException {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(256).build();
        Slots slots = new Slots(settings.concurrency());
        AdaptiveConcurrency control = control(settings, slots);
        for (int i = 0; i < 4; i++) {
            window(control, 2 * control.current(), SHORT_RUN, true, 0);
        }
        int running = slots.takeFree(0); // every slot runs a long task
        assertThat(running).isEqualTo(256);
        counts.clear();
        for (int i = 0; i < 5; i++) {
            window(control, 4, LONG_RUN, true, 0);
        }
        assertThat(counts).containsExactly(128, 64, 32, 16, 16);
        assertThat(slots.free()).isZero();
        assertThat(slots.inUse()).isEqualTo(256); // nothing interrupted: the slots come back as the tasks end
        slots.give(200);
        assertThat(slots.free()).isZero(); // paying the debt
        slots.give(56);
        assertThat(slots.free()).isEqualTo(16);
        assertThat(slots.inUse()).isZero();
    }

    @Test
    void tasksThatOutlastTheIntervalWithoutEndingCountAsLong() throws InterruptedException {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(64).build();
        Slots slots = new Slots(settings.concurrency());
        AdaptiveConcurrency control = control(settings, slots);
        window(control, 32, SHORT_RUN, true, 0);
        assertThat(control.current()).isEqualTo(32);
        slots.takeFree(0);
        window(control, 0, 0, false, 0);
        assertThat(control.current()).isEqualTo(16);
    }

    @Test
    void withoutABacklogItDoesNotGrow() {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(256).build();
        AdaptiveConcurrency control = control(settings, new Slots(settings.concurrency()));
        for (int i = 0; i < 10; i++) {
            window(control, 100, SHORT_RUN, false, 0);
        }
        assertThat(counts).containsOnly(16);
    }

    @Test
    void whenTheBacklogIsGoneForAWhileItShrinks() {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(64).build();
        AdaptiveConcurrency control = control(settings, new Slots(settings.concurrency()));
        window(control, 32, SHORT_RUN, true, 0);
        window(control, 64, SHORT_RUN, true, 0);
        assertThat(control.current()).isEqualTo(64);
        long quietWindows = AdaptiveConcurrency.QUIET_SECONDS * 1_000 / AdaptiveConcurrency.INTERVAL_MILLIS;
        counts.clear();
        for (int i = 0; i < quietWindows + 2; i++) {
            window(control, 10, SHORT_RUN, false, 0);
        }
        assertThat(counts.subList(0, (int) quietWindows - 1)).containsOnly(64);
        assertThat(counts.subList((int) quietWindows - 1, counts.size())).containsExactly(32, 16, 16);
    }

    @Test
    void itDoesNotGrowWhileOutcomesWaitForTheAcker() {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(256).build();
        AdaptiveConcurrency control = control(settings, new Slots(settings.concurrency()));
        window(control, 100, SHORT_RUN, true, Acker.MAX_BATCH);
        window(control, 100, SHORT_RUN, true, 0);
        assertThat(counts).containsExactly(16, 32);
    }

    @Test
    void tasksBetweenShortAndLongKeepTheCount() {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(256).build();
        AdaptiveConcurrency control = control(settings, new Slots(settings.concurrency()));
        window(control, 32, SHORT_RUN, true, 0);
        for (int i = 0; i < 5; i++) {
            window(control, 100, TimeUnit.MILLISECONDS.toNanos(5), true, 0);
        }
        assertThat(counts).containsOnly(32);
    }

    @Test
    void itDecidesAtMostOncePerInterval() {
        WorkerSettings settings = WorkerSettings.builder().maxConcurrency(256).build();
        AdaptiveConcurrency control = control(settings, new Slots(settings.concurrency()));
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(AdaptiveConcurrency.INTERVAL_MILLIS));
        for (int i = 0; i < 10; i++) {
            for (int run = 0; run < 100; run++) {
                control.finished(SHORT_RUN);
            }
            control.claimed(control.current(), control.current());
            control.adjust(0);
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(control.current()).isEqualTo(32);
    }

    @Test
    void anExplicitConcurrencyIsFixed() {
        WorkerSettings settings = WorkerSettings.builder().concurrency(16).build();
        assertThat(settings.adaptiveConcurrency()).isFalse();
        assertThat(settings.maxConcurrency()).isEqualTo(16);
        AdaptiveConcurrency control = control(settings, new Slots(settings.concurrency()));
        for (int i = 0; i < 5; i++) {
            window(control, 1_000, SHORT_RUN, true, 0);
        }
        assertThat(counts).containsOnly(16);
        assertThat(WorkerSettings.builder().adaptiveConcurrency(false).build().maxConcurrency()).isEqualTo(16);
    }

    @Test
    void anExplicitCeilingKeepsAdaptingWithTheConcurrencyAsItsFloor() {
        WorkerSettings settings = WorkerSettings.builder().concurrency(8).maxConcurrency(32).build();
        assertThat(settings.adaptiveConcurrency()).isTrue();
        assertThat(settings.concurrency()).isEqualTo(8);
        assertThat(settings.maxConcurrency()).isEqualTo(32);
        assertThat(WorkerSettings.builder().concurrency(8).adaptiveConcurrency(true).build().maxConcurrency())
                .isEqualTo(256);
        assertThatThrownBy(() -> WorkerSettings.builder().concurrency(8).maxConcurrency(4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrency (4) must be at least concurrency (8)");
    }
}
