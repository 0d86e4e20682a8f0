package dev.taskqueue.autoconfigure.actuate;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Chord;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TaskState;
import dev.taskqueue.TimeLimit;
import dev.taskqueue.Workflows;
import dev.taskqueue.actuate.metrics.ScheduleMetrics;
import dev.taskqueue.actuate.metrics.TaskQueueMeters;
import dev.taskqueue.actuate.metrics.TaskQueueMetrics;
import dev.taskqueue.autoconfigure.SharedRedisStores;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.autoconfigure.observation.TaskQueueObservationAutoConfiguration;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.testing.SharedRedis;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

class TaskQueueMetricsAutoConfigurationTests {

    /** The run timer's tags, from the run's observation. */
    private static final String TASK = "taskqueue.task";

    private static final String QUEUE = "taskqueue.queue";

    private static final String OUTCOME = "taskqueue.outcome";

    /** An application with the actuator's metrics and observations, as Boot configures them. */
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                    ObservationAutoConfiguration.class, DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueSchedulerAutoConfiguration.class,
                    TaskQueueMetricsAutoConfiguration.class,
                    TaskQueueObservationAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(SimpleMeterRegistry.class)
            .withBean(TestTasks.Greeter.class);

    /** Stores of the test's own, for the tests that stand one in for the application's. */
    private final SharedRedisStores redis = new SharedRedisStores();

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @AfterEach
    void closeRedis() {
        redis.close();
    }

    @Test
    void lifecycleCountersAndTimersAreRecordedAsTasksRun() {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            TaskClient client = context.getBean(TaskClient.class);
            assertThat(client.submit(TestTasks.Greeter::greet, "Ada").get(WAIT)).isEqualTo("Hello Ada");
            assertThatExceptionOfType(TaskFailedException.class)
                    .isThrownBy(() -> client.submit(TestTasks.Greeter::fail).get(WAIT));
            // The outcome is recorded (and the waiter woken) just after the listener heard of it; allow a moment.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> meters.find(TaskQueueMeters.DEAD).tag(TaskQueueMeters.TASK, "test.fail").counter()
                            != null);

            assertThat(count(meters, TaskQueueMeters.SUBMITTED, "test.greet", "default")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.STARTED, "test.greet", "default")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.SUCCEEDED, "test.greet", "default")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.SUBMITTED, "test.fail", "failing")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.FAILED, "test.fail", "failing")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.DEAD, "test.fail", "failing")).isEqualTo(1);
            assertThat(meters.find(TaskQueueMeters.SUCCEEDED).tag(TaskQueueMeters.TASK, "test.fail").counter())
                    .isNull();
            assertThat(meters.get(TaskQueueMeters.EXECUTION).tags(TASK, "test.greet", QUEUE, "default", OUTCOME,
                    "success", "error", "none").timer().count()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.EXECUTION).tags(TASK, "test.fail", OUTCOME, "failure", "error",
                    "IllegalStateException").timer().count()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.QUEUE_WAIT).tags(TaskQueueMeters.TASK, "test.greet",
                    TaskQueueMeters.QUEUE, "default").timer().count()).isEqualTo(1);
        });
    }

    /** Like Spring's message listeners: the run's observation is its only timer, and it carries the outcome. */
    @Test
    void eachRunIsTimedOnceByItsObservationWithItsOutcome() {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);

            assertThat(meters.find(TaskQueueMeters.EXECUTION).timers()).singleElement().satisfies(timer -> {
                assertThat(timer.count()).isEqualTo(1);
                assertThat(timer.getId().getTag(OUTCOME)).isEqualTo("success");
            });
            assertThat(meters.getMeters()).filteredOn(meter -> meter instanceof Timer)
                    .extracting(meter -> meter.getId().getName())
                    .containsOnly(TaskQueueMeters.EXECUTION, TaskQueueMeters.QUEUE_WAIT, "taskqueue.submit");
        });
    }

    /** A run given up at its hard time limit ends there, on the limit's thread: its observation stops then. */
    @Test
    void aRunGivenUpAtItsHardTimeLimitIsTimedOnceAsAFailure() {
        runner.withBean(Stuck.class).run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            Stuck stuck = context.getBean(Stuck.class);
            try {
                TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(Stuck::ignoreInterrupts);
                assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT))
                        .withMessageContaining("hard time limit");
                await().atMost(WAIT).until(() -> meters.get(TaskQueueMeters.EXECUTION + ".active").longTaskTimer()
                        .activeTasks() == 0);

                assertThat(stuck.released.getCount()).isOne(); // its thread still runs
                assertThat(meters.get(TaskQueueMeters.EXECUTION).tag(TASK, "test.stuck").timers()).singleElement()
                        .satisfies(timer -> {
                            assertThat(timer.getId().getTag(OUTCOME)).isEqualTo("failure");
                            assertThat(timer.count()).isEqualTo(1);
                        });
            }
            finally {
                stuck.released.countDown();
            }
        });
    }

    /** Runs past its hard time limit, ignoring interrupts, until released. */
    static class Stuck {

        final CountDownLatch released = new CountDownLatch(1);

        @Task(name = "test.stuck", timeLimit = @TimeLimit(hard = "200ms"))
        void ignoreInterrupts() {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (released.getCount() > 0 && System.nanoTime() < giveUp) {
                try {
                    released.await(50, TimeUnit.MILLISECONDS);
                }
                catch (InterruptedException ignored) {
                    // stuck: the worker gives up on it at the hard limit
                }
            }
        }
    }

    /** As with any Boot observation, turning taskqueue's off turns off their timers (and spans); counters stay. */
    @Test
    void turningObservationsOffTurnsTheRunTimerOff() {
        runner.withPropertyValues("management.observations.enable.taskqueue=false").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> meters.find(TaskQueueMeters.SUCCEEDED).counter() != null);

            assertThat(meters.find(TaskQueueMeters.EXECUTION).meters()).isEmpty();
            assertThat(meters.find("taskqueue.submit").meters()).isEmpty();
            assertThat(meters.getMeters()).extracting(meter -> meter.getId().getName())
                    .noneMatch(name -> name.contains("execut"));
            assertThat(count(meters, TaskQueueMeters.SUCCEEDED, "test.greet", "default")).isEqualTo(1);
        });
    }

    @Test
    void retriesAreCountedBeforeTheFinalFailure() {
        runner.withPropertyValues("taskqueue.retry.max-retries=1", "taskqueue.retry.delay=10ms").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT));
            await().atMost(Duration.ofSeconds(5)).until(() -> meters.find(TaskQueueMeters.DEAD).counter() != null);

            assertThat(count(meters, TaskQueueMeters.RETRIED, "test.fail", "failing")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.STARTED, "test.fail", "failing")).isEqualTo(2);
            assertThat(count(meters, TaskQueueMeters.FAILED, "test.fail", "failing")).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.EXECUTION).tag(OUTCOME, "retry").timer().count()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.EXECUTION).tag(OUTCOME, "failure").timer().count()).isEqualTo(1);
        });
    }

    @Test
    void revokedTasksAreCountedWhenAWorkerDropsThem() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            // Revoked while it waits in its queue: the worker of the next context claims it and drops it.
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            context.getBean(TaskQueueOperations.class).revoke(handle.id(), false);
        });
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            await().atMost(WAIT).until(() -> meters.find(TaskQueueMeters.REVOKED).counter() != null);
            assertThat(count(meters, TaskQueueMeters.REVOKED, "test.greet", "default")).isEqualTo(1);
            assertThat(meters.find(TaskQueueMeters.STARTED).counter()).isNull();
            assertThat(meters.find(TaskQueueMeters.EXECUTION).timer()).isNull();
        });
    }

    @Test
    void queueDepthAgeAndWorkerGaugesReadTheBroker() {
        runner.withPropertyValues("taskqueue.worker.queues=failing").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            context.getBean(TaskClient.class).withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                    .submit(TestTasks.Greeter::greet, "Bob");
            await().atMost(WAIT).until(() -> !context.getBean(QueueAdmin.class).workers().isEmpty());

            assertThat(depth(meters, "default", TaskQueueMeters.PENDING)).isEqualTo(1);
            assertThat(depth(meters, "default", TaskQueueMeters.SCHEDULED)).isEqualTo(1);
            assertThat(depth(meters, "default", TaskQueueMeters.ACTIVE)).isZero();
            assertThat(depth(meters, "failing", TaskQueueMeters.DEAD_LETTERS)).isZero();
            assertThat(meters.get(TaskQueueMeters.QUEUE_OLDEST_AGE).tag(TaskQueueMeters.QUEUE, "default").gauge()
                    .value()).isGreaterThanOrEqualTo(0);
            assertThat(meters.get(TaskQueueMeters.WORKERS).gauge().value()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.WORKER_ACTIVE_TASKS).gauge().value()).isZero();
        });
    }

    /** What the "no live workers" alert reads: a queue whose tasks no live worker takes shows 0. */
    @Test
    void queueConsumersCountTheLiveWorkersOfEachQueue() {
        runner.withPropertyValues("taskqueue.worker.queues=failing", "taskqueue.metrics.queue-stats-ttl=0s")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);

                    await().atMost(WAIT).until(() -> queueGauge(meters, TaskQueueMeters.QUEUE_CONSUMERS, "failing")
                            == 1);
                    assertThat(queueGauge(meters, TaskQueueMeters.QUEUE_CONSUMERS, "default")).isZero();
                });
    }

    @Test
    void aPausedQueueIsShownPausedUntilResumed() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.metrics.queue-stats-ttl=0s")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    QueueAdmin admin = context.getBean(QueueAdmin.class);
                    assertThat(queueGauge(meters, TaskQueueMeters.QUEUE_PAUSED, "default")).isZero();

                    admin.pause("default");
                    await().atMost(WAIT).until(() -> queueGauge(meters, TaskQueueMeters.QUEUE_PAUSED, "default")
                            == 1);
                    admin.resume("default");
                    await().atMost(WAIT).until(() -> queueGauge(meters, TaskQueueMeters.QUEUE_PAUSED, "default")
                            == 0);
                });
    }

    private static double queueGauge(MeterRegistry meters, String name, String queue) {
        return meters.get(name).tag(TaskQueueMeters.QUEUE, queue).gauge().value();
    }

    @Test
    void theOldestOpenChordsAgeGrowsUntilItCompletes() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.metrics.queue-stats-ttl=0s")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(oldestChordAge(meters)).isZero();

                    context.getBean(TaskClient.class).submit(greetings());

                    await().atMost(WAIT).until(() -> oldestChordAge(meters) > 0.2);
                    assertThat(oldestChordAge(meters)).isLessThan(60);
                });
        runner.withPropertyValues("taskqueue.metrics.queue-stats-ttl=0s").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            await().atMost(WAIT).until(() -> chords(meters, TaskQueueMeters.CHORD_OPEN) == 0
                    && oldestChordAge(meters) == 0); // a worker completed it
        });
    }

    private static double oldestChordAge(MeterRegistry meters) {
        return meters.get(TaskQueueMeters.CHORDS_OLDEST_AGE).gauge().value();
    }

    /** Every 200 ms: the last tick is at most a moment ago, the due tick at most a moment ahead. */
    @Test
    void scheduleGaugesShowTheLastTickAndTheTickDueNext() {
        runner.withPropertyValues(ping("200ms")).run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            await().atMost(WAIT).until(() -> !Double.isNaN(scheduleGauge(meters, TaskQueueMeters.SCHEDULE_LAST_TICK)));
            double now = System.currentTimeMillis() / 1000.0;
            assertThat(scheduleGauge(meters, TaskQueueMeters.SCHEDULE_LAST_TICK)).isBetween(now - 5, now);
            assertThat(scheduleGauge(meters, TaskQueueMeters.SCHEDULE_DUE_TICK)).isBetween(now - 5, now + 1)
                    .isGreaterThan(scheduleGauge(meters, TaskQueueMeters.SCHEDULE_LAST_TICK));
        });
    }

    /** What the "scheduler not ticking" alert reads: with no instance submitting, the due tick falls behind. */
    @Test
    void theDueTickFallsBehindWhenNoInstanceSubmitsTicks() {
        runner.withPropertyValues(ping("200ms")).withPropertyValues("taskqueue.scheduler.enabled=false")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);

                    await().atMost(WAIT).until(() -> System.currentTimeMillis() / 1000.0
                            - scheduleGauge(meters, TaskQueueMeters.SCHEDULE_DUE_TICK) > 1);
                    assertThat(scheduleGauge(meters, TaskQueueMeters.SCHEDULE_LAST_TICK)).isNaN();
                });
    }

    private static String[] ping(String rate) {
        return new String[] { "taskqueue.schedules.ping.task=test.greet", "taskqueue.schedules.ping.args=Ada",
                "taskqueue.schedules.ping.fixed-rate=" + rate, "taskqueue.metrics.queue-stats-ttl=0s" };
    }

    private static double scheduleGauge(MeterRegistry meters, String name) {
        return meters.get(name).tag(TaskQueueMeters.SCHEDULE, "ping").gauge().value();
    }

    @Test
    void chordGaugesCountOpenStalledAndFailedChords() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.metrics.queue-stats-ttl=0s")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(chords(meters, TaskQueueMeters.CHORD_OPEN)).isZero();

                    context.getBean(TaskClient.class).submit(greetings());

                    await().atMost(WAIT).until(() -> chords(meters, TaskQueueMeters.CHORD_OPEN) == 1);
                    assertThat(chords(meters, TaskQueueMeters.CHORD_STALLED)).isZero();
                    assertThat(chords(meters, TaskQueueMeters.CHORD_FAILED)).isZero();
                });
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.metrics.queue-stats-ttl=0s",
                "taskqueue.metrics.chord-stalled-after=1ms").run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);

                    await().atMost(WAIT).until(() -> chords(meters, TaskQueueMeters.CHORD_STALLED) == 1);
                    assertThat(chords(meters, TaskQueueMeters.CHORD_OPEN)).isZero();
                });
    }

    @Test
    void aChordWhoseHeaderTaskFailedIsCountedFailed() {
        runner.withPropertyValues("taskqueue.metrics.queue-stats-ttl=0s").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            TaskHandle<String> body = context.getBean(TaskClient.class).submit(Workflows.chord(
                    Workflows.group(TaskCall.of(TestTasks.Greeter::greet, "Ada"), TaskCall.of(TestTasks.Greeter::fail)),
                    TaskCall.partial(TestTasks.Greeter::header)));

            await().atMost(WAIT).until(() -> chords(meters, TaskQueueMeters.CHORD_FAILED) == 1);
            assertThat(chords(meters, TaskQueueMeters.CHORD_OPEN)).isZero();
            assertThat(oldestChordAge(meters)).as("a failed chord waits for nothing").isZero();
            // The chord is failed before its body's record is: the body reads FAILURE a moment later.
            await().atMost(WAIT).until(() -> body.state() == TaskState.FAILURE);
        });
    }

    private static Chord<String> greetings() {
        return Workflows.chord(Workflows.group(TaskCall.of(TestTasks.Greeter::greet, "Ada"),
                TaskCall.of(TestTasks.Greeter::greet, "Bob")), TaskCall.partial(TestTasks.Greeter::header));
    }

    private static double chords(MeterRegistry meters, String state) {
        return meters.get(TaskQueueMeters.CHORDS).tag(TaskQueueMeters.STATE, state).gauge().value();
    }

    @Test
    void gaugesShareOneReadingOfTheBroker() {
        AtomicInteger statsCalls = new AtomicInteger();
        runner.withPropertyValues("taskqueue.worker.enabled=false")
                .withBean(QueueAdmin.class, () -> adminCallingBeforeStats(redis.admin, statsCalls::incrementAndGet))
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

                    for (int scrape = 0; scrape < 3; scrape++) {
                        meters.find(TaskQueueMeters.QUEUE_DEPTH).gauges().forEach(Gauge::value);
                        meters.find(TaskQueueMeters.QUEUE_OLDEST_AGE).gauges().forEach(Gauge::value);
                        meters.find(TaskQueueMeters.WORKERS).gauges().forEach(Gauge::value);
                    }

                    assertThat(depth(meters, "default", TaskQueueMeters.PENDING)).isEqualTo(1);
                    assertThat(statsCalls).hasValue(1); // one bulk call for "default" and "failing"
                });
    }

    @Test
    void aScrapeDoesNotWaitForABrokerThatHangs() {
        CountDownLatch redisBack = new CountDownLatch(1);
        AtomicInteger statsCalls = new AtomicInteger();
        Runnable hangAfterTheFirstReading = () -> {
            if (statsCalls.incrementAndGet() > 1) {
                try {
                    redisBack.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.metrics.queue-stats-ttl=0s")
                .withBean(QueueAdmin.class, () -> adminCallingBeforeStats(redis.admin, hangAfterTheFirstReading))
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(depth(meters, "default", TaskQueueMeters.PENDING)).isZero(); // the first reading
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

                    // Each of these would wait 30 s if a scrape read the broker itself.
                    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                        for (int scrape = 0; scrape < 3; scrape++) {
                            assertThat(depth(meters, "default", TaskQueueMeters.PENDING)).isZero();
                        }
                    });
                    await().atMost(WAIT).until(() -> statsCalls.get() == 2); // the refresh, hanging
                    depth(meters, "default", TaskQueueMeters.PENDING);
                    assertThat(statsCalls).hasValue(2); // one refresh at a time, however many scrapes

                    redisBack.countDown();
                    await().atMost(WAIT).until(() -> depth(meters, "default", TaskQueueMeters.PENDING) == 1);
                });
    }

    /** Queues on the test Redis, with {@code beforeStats} run before each bulk read of their counts. */
    private static QueueAdmin adminCallingBeforeStats(QueueAdmin admin, Runnable beforeStats) {
        return (QueueAdmin) Proxy.newProxyInstance(QueueAdmin.class.getClassLoader(),
                new Class<?>[] { QueueAdmin.class }, (proxy, method, args) -> {
                    if (method.getName().equals("stats")) {
                        beforeStats.run();
                    }
                    try {
                        return method.invoke(admin, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    @Test
    void queueStatsAreReadAgainOnceTheirTimeToLivePassed() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.metrics.queue-stats-ttl=0s")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(depth(meters, "default", TaskQueueMeters.PENDING)).isZero();

                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

                    // Refreshed in the background: a read after the submit starts it, a later read shows it.
                    await().atMost(WAIT).until(() -> depth(meters, "default", TaskQueueMeters.PENDING) == 1);
                });
    }

    /** A stream entry written by someone else, whose delivery count is not a number, is counted where it was. */
    @Test
    void malformedEntriesAreCountedAsQuarantinedByQueue() {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            SharedRedis.admin().sync().xadd("{taskqueue:default}:s:0", java.util.Map.of("i", "hostile-1", "m", "{}",
                    "d", "abc"));

            await().atMost(Duration.ofSeconds(10)).until(() -> meters.find(TaskQueueMeters.QUARANTINED).counter()
                    != null);
            assertThat(count(meters, TaskQueueMeters.QUARANTINED, TaskQueueMeters.OTHER_TASK, "default")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.DEAD, TaskQueueMeters.OTHER_TASK, "default")).isEqualTo(1);
        });
    }

    @Test
    void taskNamesThisApplicationDoesNotDeclareAreTaggedOther() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.submit.allow-unknown-tasks=true")
                .run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            TaskQueueMetrics metrics = context.getBean(TaskQueueMetrics.class);

            metrics.outcomeRefused("t1", "test.greet", "default");
            metrics.outcomeRefused("t2", "someone.elses.task", "default");
            metrics.outcomeRefused("t3", null, "default");
            metrics.finished(new TaskEventListener.Execution("t4", "unknown", "default",
                    TaskEventListener.Outcome.QUARANTINED, Duration.ZERO, null));
            context.getBean(TaskClient.class).submit("someone.elses.task", 1);

            assertThat(meters.get(TaskQueueMeters.REFUSED).tag(TaskQueueMeters.TASK, "test.greet").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.REFUSED).tag(TaskQueueMeters.TASK, TaskQueueMeters.OTHER_TASK)
                    .counter().count()).isEqualTo(2);
            assertThat(count(meters, TaskQueueMeters.DEAD, TaskQueueMeters.OTHER_TASK, "default")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.SUBMITTED, TaskQueueMeters.OTHER_TASK, "default")).isEqualTo(1);
            assertThat(meters.find(TaskQueueMeters.EXECUTION).timer()).isNull(); // nothing ran
        });
    }

    @Test
    void timerDistributionsFollowBootsDistributionProperties() {
        // Histogram buckets need a registry that aggregates them (Prometheus: see the sample's scrape test);
        // service level objectives show that Boot's per-meter distribution properties reach these timers.
        runner.withPropertyValues("management.metrics.distribution.slo.taskqueue.execute=10ms,1s",
                "management.metrics.distribution.slo.taskqueue.task.queue.wait=10ms,1s")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);
                    await().atMost(Duration.ofSeconds(5)).until(() -> meters.find(TaskQueueMeters.EXECUTION)
                            .timer() != null);

                    assertThat(meters.get(TaskQueueMeters.EXECUTION).timer().takeSnapshot().histogramCounts())
                            .isNotEmpty();
                    assertThat(meters.get(TaskQueueMeters.QUEUE_WAIT).timer().takeSnapshot().histogramCounts())
                            .isNotEmpty();
                });
    }

    @Test
    void inlineTasksAreCountedWithoutQueueGauges() {
        runner.withPropertyValues("taskqueue.broker=inline").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);

            assertThat(count(meters, TaskQueueMeters.SUCCEEDED, "test.greet", "default")).isEqualTo(1);
            assertThat(count(meters, TaskQueueMeters.FAILED, "test.fail", "failing")).isEqualTo(1);
            assertThat(meters.find(TaskQueueMeters.DEAD).counters()).isEmpty(); // no dead letters inline
            assertThat(meters.find(TaskQueueMeters.QUEUE_DEPTH).gauges()).isEmpty();
            assertThat(meters.find(TaskQueueMeters.WORKERS).gauges()).isEmpty();
            assertThat(context).doesNotHaveBean(ScheduleMetrics.class); // schedules do not tick inline
        });
    }

    @Test
    void metricsAreNotCreatedWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueMetrics.class));
    }

    private static double count(MeterRegistry meters, String name, String task, String queue) {
        return meters.get(name).tags(TaskQueueMeters.TASK, task, TaskQueueMeters.QUEUE, queue).counter().count();
    }

    private static double depth(MeterRegistry meters, String queue, String state) {
        RequiredSearch search = meters.get(TaskQueueMeters.QUEUE_DEPTH).tags(TaskQueueMeters.QUEUE, queue,
                TaskQueueMeters.STATE, state);
        return search.gauge().value();
    }
}
