package dev.taskqueue.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until it is moved, and only forward: the time tests give schedules, so that each tick
 * comes when the test says (the test kit's fake time, the scheduler's own tests). Forward only, since a scheduler
 * that submitted a tick does not submit it again when time goes back.
 */
public final class ManualClock extends Clock {

    private final AtomicReference<Instant> now;

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Moves time forward by {@code duration}; returns the new instant. */
    public Instant advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("Time only moves forward, and " + duration + " is negative");
        }
        return now.updateAndGet(instant -> instant.plus(duration));
    }

    /** Moves time forward to {@code instant}. */
    public void set(Instant instant) {
        now.updateAndGet(current -> {
            if (instant.isBefore(current)) {
                throw new IllegalArgumentException("Time only moves forward: it is " + current + ", and " + instant
                        + " is before");
            }
            return instant;
        });
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
