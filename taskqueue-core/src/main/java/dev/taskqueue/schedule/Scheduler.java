package dev.taskqueue.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.ScheduleStore;
import dev.taskqueue.broker.ScheduleStore.ScheduleState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits periodic tasks ({@link Schedule}s) from every application instance at once, with no leader to elect or
 * lose: each instance computes the same absolute ticks and submits each with the task id
 * {@code schedule:<name>:<tick epoch ms>}; a submission whose id exists does nothing, so each tick is stored
 * exactly once however many instances run. Redis keeps each schedule's last tick (for instances that start later
 * and for ticks missed while all were down) and operators' enabled or disabled settings.
 *
 * <p>A tick is on time until {@code misfireGrace} after it; an older one that was never submitted (the whole
 * cluster was down, or the schedule's store was unreachable) is missed: skipped, or run once, as the schedule
 * says. Ticks passed while a schedule was disabled are skipped.
 *
 * <p>One schedule that cannot submit its tick (its task became unknown, its arguments no longer fit) never stops
 * the others: it is logged once, shown as the schedule's {@code problem} until a tick succeeds again, and skipped.
 * Only Redis being unreachable holds every schedule back (each retries until it answers).
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** How late a tick may still be submitted by default; an older one counts as missed. */
    public static final Duration DEFAULT_MISFIRE_GRACE = Duration.ofMinutes(1);

    /** How often runtime settings are read by default, and the longest the scheduler sleeps. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(1);

    /** How long a schedule's state is kept in Redis without being touched (it is touched at every tick). */
    static final Duration STATE_TTL = Duration.ofDays(30);

    private final ScheduleStore store;
    private final TaskClient client;
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private final Duration misfireGrace;
    private final Duration refresh;
    private final Clock clock;
    /** Each schedule's last tick submitted or skipped here; read by {@link #ticks()} from another thread. */
    private final Map<String, Instant> cursors = new ConcurrentHashMap<>();
    /** When this scheduler was made: where {@link #ticks()} counts from for a schedule that never ticked. */
    private final Instant createdAt;
    /** Schedules whose last tick could not be submitted, with why. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Schedules whose last tick could not be submitted, with the first tick that could not be. */
    private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    /** Held by a round of {@link #submitDueTicks()}: the cursors, states and times below are its own. */
    private final Object round = new Object();
    private Map<String, ScheduleState> states = Map.of();
    private volatile Instant nextRefresh = Instant.MIN;
    private Instant nextTouch = Instant.MIN;
    private volatile boolean running;
    private @Nullable Thread thread;

    /**
     * @param store where schedules' shared state lives (the broker)
     * @param client submits the ticks
     * @param misfireGrace how late a tick may still be submitted as on time
     * @param refresh how often operators' settings and other instances' ticks are read (and the longest wait)
     */
    public Scheduler(ScheduleStore store, TaskClient client, List<Schedule> schedules, Duration misfireGrace,
            Duration refresh, Clock clock) {
        this.store = store;
        this.client = client;
        for (Schedule schedule : schedules) {
            if (this.schedules.putIfAbsent(schedule.name(), schedule) != null) {
                throw new TaskDefinitionException("Two schedules are named '" + schedule.name() + "': rename one "
                        + "(@Periodic(name = ...), the key of taskqueue.schedules.<name>, or the Schedule bean's name)");
            }
        }
        this.misfireGrace = misfireGrace;
        this.refresh = refresh;
        this.clock = clock;
        this.createdAt = clock.instant();
    }

    /**
     * What an operator sees of a schedule.
     *
     * @param name the schedule's name
     * @param task the task each tick submits
     * @param queue the queue its call names, or null for the task's own
     * @param trigger when it fires, such as {@code cron '0 0 3 * * *' in Europe/Paris}
     * @param enabled whether it fires (stored in Redis, shared by every instance)
     * @param lastTick the last tick submitted by any instance, if any
     * @param nextTick the next tick, when enabled
     * @param missed what happens to ticks missed while no scheduler ran
     * @param problem why its last tick could not be submitted on this instance, or null when it could
     */
    public record ScheduleInfo(String name, String task, @Nullable String queue, String trigger, boolean enabled,
            @Nullable Instant lastTick, @Nullable Instant nextTick, Schedule.MissedTicks missed,
            @Nullable String problem) {
    }

    /**
     * A schedule's ticks, for monitoring.
     *
     * @param name the schedule's name
     * @param lastTick the last tick submitted by any instance, or null if none was
     * @param dueTick the tick to submit next, when enabled: the first this instance could not submit while it fails
     *        to (ticks skipped as missed meanwhile do not count), else the first after the last one submitted (or
     *        skipped as missed) here or by any instance, or after this scheduler was made when none was. Long in
     *        the past (beyond the misfire grace and the refresh interval), no instance submits the schedule's ticks.
     */
    public record ScheduleTicks(String name, @Nullable Instant lastTick, @Nullable Instant dueTick) {
    }

    public synchronized void start() {
        if (running || schedules.isEmpty()) {
            return;
        }
        running = true;
        Thread t = new Thread(this::loop, "taskqueue-scheduler");
        t.setDaemon(true);
        thread = t;
        t.start();
        log.info("Scheduler started with {} schedule(s): {}", schedules.size(), schedules.keySet());
    }

    public synchronized void stop() {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return running;
    }

    /** The names of the schedules (no Redis read). */
    public Set<String> names() {
        return Collections.unmodifiableSet(schedules.keySet());
    }

    /** The schedules, with their last and next ticks as Redis knows them. */
    public List<ScheduleInfo> schedules() {
        Map<String, ScheduleState> current = store.scheduleStates(schedules.keySet());
        Instant now = clock.instant();
        List<ScheduleInfo> infos = new ArrayList<>();
        for (Schedule schedule : schedules.values()) {
            ScheduleState state = current.get(schedule.name());
            boolean enabled = isEnabled(schedule, state);
            Instant last = lastTick(state);
            infos.add(new ScheduleInfo(schedule.name(), schedule.call().taskName(),
                    schedule.call().options().getQueue(), schedule.trigger().toString(), enabled, last, enabled ? schedule.trigger().next(now) : null, schedule.missed(),
                    problems.get(schedule.name())));
        }
        return infos;
    }

    /**
     * Every schedule's last tick and the tick due next, read from Redis (one read), for the meters: a due tick left
     * in the past says that no instance submits the schedule's ticks (schedulers stopped or stuck, Redis
     * unreachable, a task that cannot be submitted), whatever the trigger's period.
     */
    public List<ScheduleTicks> ticks() {
        Map<String, ScheduleState> current = store.scheduleStates(schedules.keySet());
        List<ScheduleTicks> ticks = new ArrayList<>();
        for (Schedule schedule : schedules.values()) {
            ScheduleState state = current.get(schedule.name());
            Instant last = lastTick(state);
            Instant due = null;
            if (isEnabled(schedule, state)) {
                Instant cursor = cursors.get(schedule.name());
                Instant from = cursor == null ? last : last == null || cursor.isAfter(last) ? cursor : last;
                Instant failing = failingSince.get(schedule.name());
                due = failing != null ? failing : schedule.trigger().next(from != null ? from : createdAt);
            }
            ticks.add(new ScheduleTicks(schedule.name(), last, due));
        }
        return ticks;
    }

    /**
     * Enables or disables a schedule on every instance (stored in Redis; instances see it within the refresh
     * interval).
     *
     * @throws IllegalArgumentException if no schedule has this name
     */
    public void setEnabled(String name, boolean enabled) {
        if (!schedules.containsKey(name)) {
            throw new IllegalArgumentException("No schedule is named '" + name + "'; known: " + schedules.keySet());
        }
        store.setScheduleEnabled(name, enabled, STATE_TTL.toMillis());
        nextRefresh = Instant.MIN;
        synchronized (wake) {
            wake.notifyAll();
        }
        log.info("Schedule '{}' {}", name, enabled ? "enabled" : "disabled");
    }

    private void loop() {
        while (running) {
            Instant wakeAt;
            try {
                wakeAt = runDue();
            }
            catch (RuntimeException ex) {
                log.warn("Scheduler could not check its schedules ({}); trying again in {}", ex.toString(), refresh);
                nextRefresh = Instant.MIN;
                wakeAt = clock.instant().plus(refresh);
            }
            long waitMillis = Math.max(1, Math.min(refresh.toMillis(),
                    Duration.between(clock.instant(), wakeAt).toMillis()));
            synchronized (wake) {
                if (!running) {
                    return;
                }
                try {
                    wake.wait(waitMillis);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Submits every tick that is due; returns when to look again. Package-visible for tests. */
    Instant runDue() {
        Instant now = clock.instant();
        Instant next = submitDueTicks(now);
        Instant latest = now.plus(refresh);
        return next != null && next.isBefore(latest) ? next : latest;
    }

    /**
     * Submits, in the caller's thread, every tick due by the clock, and returns the next tick of any enabled schedule
     * (null when none is to come). It is what the scheduler's thread does at each wake-up, for tests that move a fake
     * clock: move it, call this, and the due ticks are in Redis. Rounds never overlap: one waits for the other.
     */
    public @Nullable Instant submitDueTicks() {
        return submitDueTicks(clock.instant());
    }

    private @Nullable Instant submitDueTicks(Instant now) {
        synchronized (round) {
            if (!now.isBefore(nextRefresh)) {
                states = store.scheduleStates(schedules.keySet());
                nextRefresh = now.plus(refresh);
            }
            if (!now.isBefore(nextTouch)) {
                touch();
                nextTouch = now.plus(Duration.ofHours(1));
            }
            Instant earliest = null;
            for (Schedule schedule : schedules.values()) {
                Instant next;
                try {
                    next = runDue(schedule, states.get(schedule.name()), now);
                }
                catch (BrokerUnavailableException ex) {
                    throw ex; // every schedule waits for Redis alike
                }
                catch (RuntimeException ex) {
                    report(schedule, ex, now);
                    next = null; // tried again at the next refresh
                }
                if (next != null && (earliest == null || next.isBefore(earliest))) {
                    earliest = next;
                }
            }
            return earliest;
        }
    }

    /** Schedules whose last tick could not be submitted on this instance, with why. */
    public Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    /**
     * Logs a schedule's problem once (and again only when it changes), and remembers the first tick it could not
     * submit (the one after its cursor); the other schedules carry on.
     */
    private void report(Schedule schedule, RuntimeException ex, Instant now) {
        Instant cursor = cursors.get(schedule.name());
        Instant failed = cursor == null ? null : schedule.trigger().next(cursor);
        failingSince.putIfAbsent(schedule.name(), failed != null && failed.isBefore(now) ? failed : now);
        String problem = ex.getClass().getSimpleName() + ": " + ex.getMessage();
        if (!problem.equals(problems.put(schedule.name(), problem))) {
            log.error("Schedule '{}' cannot submit its tick of task '{}', so it is skipped until it can (the other "
                    + "schedules carry on): {}", schedule.name(), schedule.call().taskName(), problem);
        }
    }

    /** Called once a tick was submitted: not when ticks were only skipped as missed, which fixes nothing. */
    private void solved(Schedule schedule) {
        failingSince.remove(schedule.name());
        if (problems.remove(schedule.name()) != null) {
            log.info("Schedule '{}' submits its ticks again", schedule.name());
        }
    }

    private @Nullable Instant runDue(Schedule schedule, @Nullable ScheduleState state, Instant now) {
        Instant last = lastTick(state);
        Instant cursor = cursors.get(schedule.name());
        if (cursor == null) {
            cursor = last != null ? last : now; // first start of a schedule: no backfill
        }
        else if (last != null && last.isAfter(cursor)) {
            cursor = last; // another instance submitted it
        }
        if (!isEnabled(schedule, state)) {
            cursors.put(schedule.name(), now.isAfter(cursor) ? now : cursor);
            // It submits nothing, so it has no problem to show; enabled again, it starts afresh from now.
            problems.remove(schedule.name());
            failingSince.remove(schedule.name());
            return null;
        }
        Trigger trigger = schedule.trigger();
        Instant missedUpTo = trigger.latestAtOrBefore(now.minus(misfireGrace));
        if (missedUpTo != null && missedUpTo.isAfter(cursor)) {
            if (schedule.missed() == Schedule.MissedTicks.RUN_ONCE) {
                log.info("Schedule '{}' missed ticks up to {}: running it once for them", schedule.name(), missedUpTo);
                submit(schedule, missedUpTo);
            }
            else {
                log.info("Schedule '{}' missed ticks up to {}: skipped", schedule.name(), missedUpTo);
            }
            cursor = missedUpTo;
        }
        Instant next = trigger.next(cursor);
        for (int i = 0; next != null && !next.isAfter(now) && i < 1_000; i++) {
            submit(schedule, next);
            cursor = next;
            next = trigger.next(cursor);
        }
        cursors.put(schedule.name(), cursor);
        return next;
    }

    private void submit(Schedule schedule, Instant tick) {
        String id = schedule.tickId(tick);
        client.withOptions(TaskOptions.defaults().taskId(id)).submit(schedule.call());
        store.recordFire(schedule.name(), tick.toEpochMilli(), STATE_TTL.toMillis());
        solved(schedule);
        log.debug("Schedule '{}' tick {} submitted as task [{}]", schedule.name(), tick, id);
    }

    /**
     * Keeps the state of schedules that do not tick often (or are disabled) from expiring. Only the expiry: writing
     * back the state read at the last refresh could undo an operator's change made since.
     */
    private void touch() {
        states.keySet().forEach(name -> store.keepSchedule(name, STATE_TTL.toMillis()));
    }

    private static @Nullable Instant lastTick(@Nullable ScheduleState state) {
        return state == null || state.lastFireMillis() == null ? null : Instant.ofEpochMilli(state.lastFireMillis());
    }

    private static boolean isEnabled(Schedule schedule, @Nullable ScheduleState state) {
        return state != null && state.enabled() != null ? state.enabled() : schedule.enabled();
    }
}
