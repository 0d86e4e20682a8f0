package dev.taskqueue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.redis.RedisConnections;
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
    private Scheduler instance(Schedule schedule, Duration misfireGrace) {
        RedisConnections connections = RedisConnections.using(SharedRedis.client(), "test");
        RedisBroker broker = new RedisBroker(connections, TaskQueueFixture.PREFIX, RedisBroker.DeadLetterPolicy.DEFAULT);
        JsonMapper mapper = JsonMapper.builder().build();
        DefaultTaskClient client = new DefaultTaskClient(broker, tq.results, new TaskCatalog(tq.registry,
                new RedisCatalog(broker), mapper, Clock.systemUTC()), tq.codec, ClientSettings.DEFAULTS, tq.event(),
                List.of(), Clock.systemUTC());
        Scheduler scheduler = new Scheduler(broker, client, List.of(schedule), misfireGrace, Duration.ofMillis(200),
                Clock.systemUTC());
        schedulers.add(scheduler);
        return scheduler;
    }

    @Test
    void threeInstancesEnqueueEachTickExactlyOnce() throws Exception {
        Duration rate = Duration.ofMillis(250);
        Schedule schedule = Schedule.every("three", rate, TaskCall.of("sched.tick", "x"));
        Scheduler a = instance(schedule, Duration.ofSeconds(30));
        Scheduler b = instance(schedule, Duration.ofSeconds(30));
        Scheduler c = instance(schedule, Duration.ofSeconds(30));
        a.start();
        b.start();
        c.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> ticks.runs.size() >= 10);
        b.stop(); // an instance leaves: no leader is lost
        Scheduler d = instance(schedule, Duration.ofSeconds(30));
        d.start(); // and one joins
        await().atMost(Duration.ofSeconds(20)).until(() -> ticks.runs.size() >= 22);
        a.stop();
        c.stop();
        d.stop();
        Thread.sleep(1_000); // let the last ticks run

        Set<Long> tickTimes = new TreeSet<>();
        ticks.runs.keySet().forEach(id -> tickTimes.add(Long.parseLong(id.substring(id.lastIndexOf(':') + 1))));
        assertThat(ticks.runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        List<Long> ordered = new ArrayList<>(tickTimes);
        for (int i = 1; i < ordered.size(); i++) {
            assertThat(ordered.get(i) - ordered.get(i - 1)).as("no tick skipped").isEqualTo(rate.toMillis());
        }
        assertThat(ordered).hasSizeGreaterThanOrEqualTo(20);
        // exactly one enqueue per tick: the schedule's ticks in Redis are exactly those that ran
        assertThat(tq.broker.stats("default").pending()).isZero();
        System.out.println("SCHEDULER-TEST " + ordered.size() + " ticks by 4 instances (3 at a time), each run once");
    }

    @Test
    void missedTicksAreSkippedByDefault() throws Exception {
        Schedule schedule = Schedule.every("skipper", Duration.ofSeconds(1), TaskCall.of("sched.tick", "x"));
        long longAgo = Instant.now().minus(Duration.ofMinutes(5)).toEpochMilli() / 1000 * 1000;
        tq.broker.recordFire("skipper", longAgo, 60_000); // the whole cluster was down for 5 minutes
        Scheduler scheduler = instance(schedule, Duration.ofMillis(500));
        long started = System.currentTimeMillis();
        scheduler.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() >= 2);
        for (String id : ticks.runs.keySet()) {
            long tick = Long.parseLong(id.substring(id.lastIndexOf(':') + 1));
            assertThat(tick).as("only ticks from now on run").isGreaterThan(started - 1_500);
        }
    }

    @Test
    void missedTicksRunOnceWhenAsked() throws Exception {
        Schedule schedule = Schedule.every("catcher", Duration.ofMinutes(1), TaskCall.of("sched.tick", "x"))
                .missed(Schedule.MissedTicks.RUN_ONCE);
        long longAgo = Instant.now().minus(Duration.ofMinutes(30)).toEpochMilli() / 60_000 * 60_000;
        tq.broker.recordFire("catcher", longAgo, 60_000);
        Scheduler scheduler = instance(schedule, Duration.ofSeconds(1));
        // Within the misfire grace of a minute's start, that minute is an on-time tick besides the catch-up run.
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute < 2_000 || intoMinute > 58_000) {
            Thread.sleep((62_000 - intoMinute) % 60_000);
        }
        long started = System.currentTimeMillis();
        scheduler.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() >= 1);
        Thread.sleep(500);
        // One run for the 29 or 30 missed ticks (and the current minute's, if it passed more than a second ago);
        // a minute that starts while the test runs is a tick of its own.
        List<Long> missedRuns = ticks.runs.keySet().stream()
                .map(id -> Long.parseLong(id.substring(id.lastIndexOf(':') + 1))).filter(tick -> tick <= started)
                .toList();
        assertThat(missedRuns).singleElement().satisfies(tick -> assertThat(tick).isGreaterThan(longAgo));
    }

    @Test
    void keepingSchedulesAliveNeverWritesBackAStaleSetting() {
        Schedule schedule = Schedule.every("kept", Duration.ofHours(6), TaskCall.of("sched.tick", "x"));
        tq.broker.setScheduleEnabled("kept", true, 60_000);
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        // Re-reads the settings every 2 h; keeps them alive every hour.
        Scheduler scheduler = new Scheduler(tq.broker, tq.client, List.of(schedule), Duration.ofSeconds(1),
                Duration.ofHours(2), movable(now));
        scheduler.runDue(); // reads "enabled"

        tq.broker.setScheduleEnabled("kept", false, 60_000); // an operator, through another instance
        now.set(now.get().plus(Duration.ofMinutes(61)));
        scheduler.runDue(); // keeps the state alive, with its hour-old reading in hand

        assertThat(tq.broker.scheduleStates(List.of("kept")).get("kept").enabled()).isFalse();
        assertThat(SharedRedis.admin().sync().pttl("{" + TaskQueueFixture.PREFIX + "}:schedule:kept"))
                .isGreaterThan(Duration.ofDays(29).toMillis());
    }

    /** What a test that fakes time does: it moves the clock, and the ticks due by then are submitted at once. */
    @Test
    void ticksDueByAMovedClockAreSubmittedInTheCallersThread() {
        Schedule schedule = Schedule.every("moved", Duration.ofMinutes(5), TaskCall.of("sched.tick", "x"));
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:01:00Z"));
        Scheduler scheduler = new Scheduler(tq.broker, tq.client, List.of(schedule), Duration.ofMinutes(1),
                Duration.ofSeconds(1), movable(now));

        assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:05:00Z"); // the first round submits nothing
        now.set(Instant.parse("2030-01-01T00:05:00Z"));
        assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:10:00Z");
        now.set(Instant.parse("2030-01-01T00:10:20Z"));
        assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:15:00Z");

        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() == 2);
        assertThat(ticks.runs.keySet()).containsExactlyInAnyOrder(
                schedule.tickId(Instant.parse("2030-01-01T00:05:00Z")),
                schedule.tickId(Instant.parse("2030-01-01T00:10:00Z")));
        scheduler.setEnabled("moved", false);
        assertThat(scheduler.submitDueTicks()).as("no tick is to come").isNull();
    }

    /** A clock that reads {@code now}. */
    private static Clock movable(AtomicReference<Instant> now) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
    }

    /** The bug this guards against: one schedule failing every tick stopped every schedule, cluster-wide. */
    @Test
    void aScheduleThatCannotSubmitItsTicksNeverStopsTheOthers() {
        Schedule broken = Schedule.every("broken", Duration.ofMillis(200), TaskCall.of("sched.tick", "a", "b"));
        Schedule fine = Schedule.every("fine", Duration.ofMillis(200), TaskCall.of("sched.tick", "x"));
        RedisConnections connections = RedisConnections.using(SharedRedis.client(), "test");
        RedisBroker broker = new RedisBroker(connections, TaskQueueFixture.PREFIX, RedisBroker.DeadLetterPolicy.DEFAULT);
        Scheduler scheduler = new Scheduler(broker, tq.client, List.of(broken, fine), Duration.ofSeconds(30),
                Duration.ofMillis(200), Clock.systemUTC());
        schedulers.add(scheduler);
        scheduler.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() >= 3);
        assertThat(scheduler.problems()).containsOnlyKeys("broken");
        assertThat(scheduler.problems().get("broken")).contains("takes 1 argument(s) [label], but 2 were given");
        Map<String, Scheduler.ScheduleInfo> infos = new java.util.HashMap<>();
        scheduler.schedules().forEach(info -> infos.put(info.name(), info));
        assertThat(infos.get("broken").problem()).contains("IllegalArgumentException");
        assertThat(infos.get("fine").problem()).isNull();
    }

    @Test
    void aScheduleDisabledAtRuntimeStopsOnEveryInstanceAndResumes() throws Exception {
        Schedule schedule = Schedule.every("toggled", Duration.ofMillis(200), TaskCall.of("sched.tick", "x"));
        Scheduler a = instance(schedule, Duration.ofSeconds(30));
        Scheduler b = instance(schedule, Duration.ofSeconds(30));
        a.start();
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() >= 3);

        a.setEnabled("toggled", false);
        Thread.sleep(1_000); // both instances see it within their refresh interval; ticks sent before it have run
        int whileDisabled = ticks.runs.size();
        Thread.sleep(1_000);
        assertThat(ticks.runs.size()).isEqualTo(whileDisabled);
        assertThat(b.schedules().get(0).enabled()).isFalse();
        assertThat(b.schedules().get(0).nextTick()).isNull();

        b.setEnabled("toggled", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.runs.size() >= whileDisabled + 3);
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
