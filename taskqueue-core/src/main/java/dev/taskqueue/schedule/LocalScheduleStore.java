package dev.taskqueue.schedule;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.broker.ScheduleStore;

/**
 * The schedules' state of one process, for the inline mode (no Redis): operators' enabled settings and last
 * ticks, in memory. Nothing expires: a process holds a handful of schedules.
 */
public final class LocalScheduleStore implements ScheduleStore {

    private final Map<String, ScheduleState> states = new ConcurrentHashMap<>();

    @Override
    public Map<String, ScheduleState> scheduleStates(Collection<String> names) {
        Map<String, ScheduleState> found = new LinkedHashMap<>();
        names.forEach(name -> {
            ScheduleState state = states.get(name);
            if (state != null) {
                found.put(name, state);
            }
        });
        return found;
    }

    @Override
    public void recordFire(String name, long tickMillis, long ttlMillis) {
        states.merge(name, new ScheduleState(tickMillis, null), (old, fired) -> new ScheduleState(
                old.lastFireMillis() == null ? tickMillis : Math.max(old.lastFireMillis(), tickMillis), old.enabled()));
    }

    @Override
    public void setScheduleEnabled(String name, boolean enabled, long ttlMillis) {
        states.merge(name, new ScheduleState(null, enabled), (old, set) -> new ScheduleState(old.lastFireMillis(),
                enabled));
    }

    @Override
    public void keepSchedule(String name, long ttlMillis) {
        // nothing expires here
    }
}
