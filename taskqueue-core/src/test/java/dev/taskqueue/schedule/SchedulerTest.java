package dev.taskqueue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Periodic tasks on a real Redis: every tick once, whatever the number of scheduler instances. */
class SchedulerTest {

    public static class Ticks {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        @Task(name = "sched.tick")
        public void tick(String label) {
            runs.computeIfAbsent(TaskContext.current().taskId(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Task(name = "sched.periodic")
        @Periodic(fixedRate = "10m", missed = Schedule.MissedTicks.RUN_ONCE)
        public void periodic() {
        }
    }

    public static class WrongPeriodic {
        @Task(name = "sched.wrong")
        @Periodic(cron = "0 * * * * *")
        public void wrong(String needsAnArgument) {
        }
    }

    /** What Spring's class-based proxy of {@link Ticks} looks like: its methods carry no annotations. */
    public static class TicksProxy extends Ticks {
        @Override
        public void tick(String label) {
            super.tick(label);
        }

        @Override
        public void periodic() {
            super.periodic();
        }
    }

    private final Ticks ticks = new Ticks();
    private TaskQueueFixture tq;
    private final List<Scheduler> schedulers = new ArrayList<>();

    @BeforeEach
    void start() {
        tq = new TaskQueueFixture(ticks);
        tq.startWorker(s -> s.concurrency(4));
    }

    @AfterEach
    void stop() {
        schedulers.forEach(Scheduler::stop);
        tq.close();
    }

    /** A scheduler as another application instance would run it: its own connections and client. */
    private Scheduler instance(Schedule schedule, Duration misfireGrace, Clock clock) {
        RedisConnections connections = RedisConnections.using(SharedRedis.client(), "test");
        RedisStores stores = new RedisStores(connections, TaskQueueFixture.PREFIX);
        JsonMapper mapper = JsonMapper.builder().build();
        DefaultTaskClient client = new DefaultTaskClient(stores.broker(), tq.results, stores.workflows(),
                stores.admin(), new TaskCatalog(tq.registry, stores.catalog(), mapper, Clock.systemUTC()), tq.codec,
                ClientSettings.DEFAULTS, tq.event(), List.of(), Clock.systemUTC());
        Scheduler scheduler = new Scheduler(stores.schedules(), client, List.of(schedule), misfireGrace, REFRESH,
                clock);
        schedulers.add(scheduler);
        return scheduler;
    }

    private static final Duration REFRESH = Duration.ofMillis(200);

    /** A scheduler on the fixture's store and client, reading settings every second, on a clock the test moves. */
    private Scheduler onFakeTime(Duration misfireGrace, ManualClock clock, Schedule... schedules) {
        return new Scheduler(tq.schedules, tq.client, List.of(schedules), misfireGrace, Duration.ofSeconds(1), clock);
    }

    /** Now, on a whole second: ticks of every-second schedules fall on it. */
    private static Instant wholeSecond() {
        return Instant.ofEpochSecond(Instant.now().getEpochSecond());
    }

    /** The times of the ticks that ran (a tick's task id ends with its time), each once or the test fails. */
    private List<Long> tickTimesRunOnce() {
        assertThat(ticks.runs.values()).allSatisfy(n -> assertThat(n.get()).as("runs of one tick").isEqualTo(1));
        return ticks.runs.keySet().stream().map(id -> Long.parseLong(id.substring(id.lastIndexOf(':') + 1)))
                .sorted().toList();
    }

    private void awaitRuns(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() >= count);
    }

    /** Instances that check at the same instant race to submit each tick; the tick's id makes one of them win. */
    @Test
    void threeInstancesEnqueueEachTickExactlyOnce() throws Exception {
        Duration rate = Duration.ofMillis(250);
        Schedule schedule = Schedule.every("three", rate, TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(wholeSecond());
        List<Scheduler> instances = new ArrayList<>(List.of(instance(schedule, Duration.ofSeconds(30), clock),
                instance(schedule, Duration.ofSeconds(30), clock), instance(schedule, Duration.ofSeconds(30), clock)));
        instances.forEach(Scheduler::runDue); // started: a schedule's first check starts it, nothing is backfilled
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int step = 1; step <= 24; step++) {
                if (step == 12) {
                    instances.remove(1); // an instance leaves: no tick is lost
                    instances.add(instance(schedule, Duration.ofSeconds(30), clock)); // and one joins
                }
                clock.advance(rate);
                List<Future<Instant>> checks = new ArrayList<>();
                for (Scheduler scheduler : instances) {
                    checks.add(threads.submit(scheduler::runDue));
                }
                for (Future<Instant> check : checks) {
                    check.get(10, TimeUnit.SECONDS);
                }
            }
        }
        finally {
            threads.shutdownNow();
        }
        awaitRuns(24);
        Thread.sleep(300); // a tick submitted twice would run twice by now

        List<Long> ticked = tickTimesRunOnce();
        assertThat(ticked).hasSize(24);
        for (int i = 1; i < ticked.size(); i++) {
            assertThat(ticked.get(i) - ticked.get(i - 1)).as("no tick skipped").isEqualTo(rate.toMillis());
        }
        assertThat(tq.admin.stats("default").pending()).isZero();
    }

    @Test
    void aStartedSchedulerTicksOnItsOwn() {
        Schedule schedule = Schedule.every("own", Duration.ofMillis(100), TaskCall.of("sched.tick", "x"));
        instance(schedule, Duration.ofSeconds(30), Clock.systemUTC()).start();
        awaitRuns(3);
        assertThat(tickTimesRunOnce()).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void missedTicksAreSkippedByDefault() {
        Schedule schedule = Schedule.every("skipper", Duration.ofSeconds(1), TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(wholeSecond());
        Instant started = clock.instant();
        // the whole cluster was down for 5 minutes
        tq.schedules.recordFire("skipper", started.minus(Duration.ofMinutes(5)).toEpochMilli(), 60_000);
        Scheduler scheduler = instance(schedule, Duration.ofMillis(500), clock);

        scheduler.runDue();
        clock.advance(Duration.ofSeconds(1));
        scheduler.runDue();

        awaitRuns(2);
        assertThat(tickTimesRunOnce()).as("only the ticks from now on run")
                .containsExactly(started.toEpochMilli(), started.toEpochMilli() + 1_000);
    }

    @Test
    void missedTicksRunOnceWhenAsked() {
        Schedule schedule = Schedule.every("catcher", Duration.ofMinutes(1), TaskCall.of("sched.tick", "x"))
                .missed(Schedule.MissedTicks.RUN_ONCE);
        Instant minute = Instant.ofEpochSecond(Instant.now().getEpochSecond() / 60 * 60);
        ManualClock clock = new ManualClock(minute.plusSeconds(30));
        tq.schedules.recordFire("catcher", minute.minus(Duration.ofMinutes(30)).toEpochMilli(), 60_000);
        Scheduler scheduler = instance(schedule, Duration.ofSeconds(1), clock);

        scheduler.runDue(); // one run for the 30 missed ticks, at the last of them
        clock.advance(Duration.ofSeconds(30));
        scheduler.runDue(); // then the next minute on time

        awaitRuns(2);
        assertThat(tickTimesRunOnce()).containsExactly(minute.toEpochMilli(), minute.plusSeconds(60).toEpochMilli());
    }

    @Test
    void keepingSchedulesAliveNeverWritesBackAStaleSetting() {
        Schedule schedule = Schedule.every("kept", Duration.ofHours(6), TaskCall.of("sched.tick", "x"));
        tq.schedules.setScheduleEnabled("kept", true, 60_000);
        ManualClock clock = new ManualClock(Instant.now());
        // Re-reads the settings every 2 h; keeps them alive every hour.
        Scheduler scheduler = new Scheduler(tq.schedules, tq.client, List.of(schedule), Duration.ofSeconds(1),
                Duration.ofHours(2), clock);
        scheduler.runDue(); // reads "enabled"

        tq.schedules.setScheduleEnabled("kept", false, 60_000); // an operator, through another instance
        clock.advance(Duration.ofMinutes(61));
        scheduler.runDue(); // keeps the state alive, with its hour-old reading in hand

        assertThat(tq.schedules.scheduleStates(List.of("kept")).get("kept").enabled()).isFalse();
        assertThat(SharedRedis.admin().sync().pttl("{" + TaskQueueFixture.PREFIX + "}:schedule:kept"))
                .isGreaterThan(Duration.ofDays(29).toMillis());
    }

    /** What a test that fakes time does: it moves the clock, and the ticks due by then are submitted at once. */
    @Test
    void ticksDueByAMovedClockAreSubmittedInTheCallersThread() {
        Schedule schedule = Schedule.every("moved", Duration.ofMinutes(5), TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:01:00Z"));
        Scheduler scheduler = onFakeTime(Duration.ofMinutes(1), clock, schedule);

        assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:05:00Z"); // the first round submits nothing
        clock.advance(Duration.ofMinutes(4)); // 00:05
        assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:10:00Z");
        clock.advance(Duration.ofSeconds(320)); // 00:10:20
        assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:15:00Z");

        awaitRuns(2);
        assertThat(ticks.runs.keySet()).containsExactlyInAnyOrder(
                schedule.tickId(Instant.parse("2030-01-01T00:05:00Z")),
                schedule.tickId(Instant.parse("2030-01-01T00:10:00Z")));
        scheduler.setEnabled("moved", false);
        assertThat(scheduler.submitDueTicks()).as("no tick is to come").isNull();
    }

    /**
     * What the meters show: the tick due next stays ahead of the clock while ticks are submitted, and falls behind it
     * when none is, whichever instance is asked.
     */
    @Test
    void theDueTickFallsBehindTheClockWhileNoTickIsSubmitted() {
        Schedule schedule = Schedule.every("watched", Duration.ofMinutes(5), TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:01:00Z"));
        Scheduler scheduler = onFakeTime(Duration.ofMinutes(1), clock, schedule);
        Instant fiveAfter = Instant.parse("2030-01-01T00:05:00Z");

        assertThat(scheduler.ticks()).as("counted from when the scheduler was made")
                .containsExactly(new Scheduler.ScheduleTicks("watched", null, fiveAfter));
        clock.advance(Duration.ofMinutes(10)); // 00:11, and no round ran: 6 minutes late
        assertThat(scheduler.ticks()).containsExactly(new Scheduler.ScheduleTicks("watched", null, fiveAfter));

        scheduler.submitDueTicks(); // the first round starts the schedule from now, nothing backfilled
        assertThat(scheduler.ticks()).containsExactly(new Scheduler.ScheduleTicks("watched", null,
                Instant.parse("2030-01-01T00:15:00Z")));
        clock.advance(Duration.ofMinutes(4)); // 00:15
        scheduler.submitDueTicks();
        Scheduler.ScheduleTicks ticked = new Scheduler.ScheduleTicks("watched", Instant.parse("2030-01-01T00:15:00Z"),
                Instant.parse("2030-01-01T00:20:00Z"));
        assertThat(scheduler.ticks()).containsExactly(ticked);
        Scheduler another = onFakeTime(Duration.ofMinutes(1), clock, schedule);
        assertThat(another.ticks()).as("another instance reads the last tick from Redis").containsExactly(ticked);

        scheduler.setEnabled("watched", false);
        assertThat(another.ticks()).containsExactly(new Scheduler.ScheduleTicks("watched",
                Instant.parse("2030-01-01T00:15:00Z"), null));
    }

    /** A schedule whose tick cannot be submitted falls behind, while the others keep up. */
    @Test
    void theDueTickOfAScheduleThatCannotSubmitFallsBehind() {
        Schedule broken = Schedule.every("broken", Duration.ofMinutes(1), TaskCall.of("sched.tick", "a", "b"));
        Schedule fine = Schedule.every("fine", Duration.ofMinutes(1), TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        Scheduler scheduler = onFakeTime(Duration.ofSeconds(30), clock, broken, fine);
        scheduler.submitDueTicks(); // started
        for (int minute = 0; minute < 3; minute++) {
            clock.advance(Duration.ofMinutes(1)); // each tick of "broken" fails, then is skipped as missed
            scheduler.submitDueTicks();
        }

        assertThat(scheduler.problems()).as("skipping a tick fixes nothing").containsOnlyKeys("broken");
        assertThat(scheduler.ticks()).containsExactly(
                new Scheduler.ScheduleTicks("broken", null, Instant.parse("2030-01-01T00:01:00Z")),
                new Scheduler.ScheduleTicks("fine", Instant.parse("2030-01-01T00:03:00Z"),
                        Instant.parse("2030-01-01T00:04:00Z")));

        scheduler.setEnabled("broken", false); // what an operator does to it until it is mended
        scheduler.submitDueTicks();
        assertThat(scheduler.problems()).isEmpty();
        scheduler.setEnabled("broken", true);
        scheduler.submitDueTicks();
        assertThat(scheduler.ticks().get(0)).as("enabled again, it starts from now")
                .isEqualTo(new Scheduler.ScheduleTicks("broken", null, Instant.parse("2030-01-01T00:04:00Z")));
    }

    /** The bug this guards against: one schedule failing every tick stopped every schedule, cluster-wide. */
    @Test
    void aScheduleThatCannotSubmitItsTicksNeverStopsTheOthers() {
        Duration rate = Duration.ofMillis(200);
        Schedule broken = Schedule.every("broken", rate, TaskCall.of("sched.tick", "a", "b"));
        Schedule fine = Schedule.every("fine", rate, TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(wholeSecond());
        Scheduler scheduler = new Scheduler(tq.schedules, tq.client, List.of(broken, fine), Duration.ofSeconds(30),
                REFRESH, clock);
        scheduler.runDue(); // started
        for (int i = 0; i < 3; i++) {
            clock.advance(rate);
            scheduler.runDue();
        }

        awaitRuns(3);
        assertThat(scheduler.problems()).containsOnlyKeys("broken");
        assertThat(scheduler.problems().get("broken")).contains("takes 1 argument(s) [label], but 2 were given");
        Map<String, Scheduler.ScheduleInfo> infos = new java.util.HashMap<>();
        scheduler.schedules().forEach(info -> infos.put(info.name(), info));
        assertThat(infos.get("broken").problem()).contains("IllegalArgumentException");
        assertThat(infos.get("fine").problem()).isNull();
    }

    @Test
    void aScheduleDisabledAtRuntimeStopsOnEveryInstanceAndResumes() throws Exception {
        Duration rate = Duration.ofMillis(200);
        Schedule schedule = Schedule.every("toggled", rate, TaskCall.of("sched.tick", "x"));
        ManualClock clock = new ManualClock(wholeSecond());
        Scheduler a = instance(schedule, Duration.ofSeconds(30), clock);
        Scheduler b = instance(schedule, Duration.ofSeconds(30), clock);
        Runnable step = () -> {
            clock.advance(rate); // as long as the refresh interval: each step reads the settings again
            a.runDue();
            b.runDue();
        };
        a.runDue(); // started
        b.runDue();
        for (int i = 0; i < 3; i++) {
            step.run();
        }
        awaitRuns(3);

        a.setEnabled("toggled", false);
        for (int i = 0; i < 5; i++) {
            step.run();
        }
        Thread.sleep(300); // a tick submitted while disabled would have run by now
        assertThat(ticks.runs).hasSize(3);
        assertThat(b.schedules().get(0).enabled()).isFalse();
        assertThat(b.schedules().get(0).nextTick()).isNull();

        b.setEnabled("toggled", true);
        for (int i = 0; i < 3; i++) {
            step.run();
        }
        awaitRuns(6);
        assertThat(ticks.runs).hasSize(6);
        Scheduler.ScheduleInfo info = a.schedules().get(0);
        assertThat(info.enabled()).isTrue();
        assertThat(info.lastTick()).isNotNull();
        assertThat(info.nextTick()).isAfter(info.lastTick());
        assertThat(info.task()).isEqualTo("sched.tick");
        assertThat(info.trigger()).isEqualTo("every 0.2s");
        assertThatThrownBy(() -> a.setEnabled("nope", true)).hasMessageContaining("No schedule is named 'nope'");
    }

    @Test
    void periodicAnnotationsDeclareSchedules() {
        List<Schedule> declared = PeriodicTasks.declaredIn(tq.registry);
        assertThat(declared).hasSize(1);
        assertThat(declared.get(0).name()).isEqualTo("sched.periodic");
        assertThat(declared.get(0).trigger()).isEqualTo(Trigger.fixedRate(Duration.ofMinutes(10), Instant.EPOCH));
        assertThat(declared.get(0).missed()).isEqualTo(Schedule.MissedTicks.RUN_ONCE);

        TaskRegistry proxied = new TaskRegistry(JsonMapper.builder().build(), "default");
        proxied.register("ticks", new TicksProxy(), Ticks.class);
        assertThat(PeriodicTasks.declaredIn(proxied)).extracting(Schedule::name).containsExactly("sched.periodic");

        TaskRegistry wrong = new TaskRegistry(JsonMapper.builder().build(), "default");
        wrong.register("wrong", new WrongPeriodic(), WrongPeriodic.class);
        assertThatThrownBy(() -> PeriodicTasks.declaredIn(wrong)).isInstanceOf(TaskDefinitionException.class)
                .hasMessageContaining("sched.wrong").hasMessageContaining("takes no arguments");
    }
}
