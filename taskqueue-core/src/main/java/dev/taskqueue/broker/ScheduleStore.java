package dev.taskqueue.broker;

import java.util.Collection;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Where periodic schedules keep what every scheduler instance must agree on: the last tick enqueued, and whether
 * an operator disabled the schedule. Ticks are enqueued with a task id derived from the schedule and the tick
 * time, so the submission's own deduplication makes each tick run once; this store only tells instances where
 * the schedule stands.
 */
public interface ScheduleStore {

    /**
     * @param lastFireMillis the latest tick enqueued (epoch ms), or null when none ever was
     * @param enabled an operator's setting, or null when none was made (the declaration decides)
     */
    record ScheduleState(@Nullable Long lastFireMillis, @Nullable Boolean enabled) {
    }

    /** Each named schedule's state (absent names: nothing stored). */
    Map<String, ScheduleState> scheduleStates(Collection<String> names);

    /** Records that the tick at {@code tickMillis} was enqueued (a later tick already recorded stays). */
    void recordFire(String name, long tickMillis, long ttlMillis);

    /** Stores an operator's enabled or disabled setting; every scheduler instance honours it. */
    void setScheduleEnabled(String name, boolean enabled, long ttlMillis);

    /** Keeps a schedule's state (if any) for {@code ttlMillis} more, changing nothing in it. */
    void keepSchedule(String name, long ttlMillis);
}
