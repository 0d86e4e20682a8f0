package dev.taskqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TaskPoliciesTest {

    @Test
    void timeLimitsSetTogetherMustFit() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TaskPolicies.NONE.withTimeLimits(Duration.ofMinutes(10), Duration.ofMinutes(5)))
                .withMessageContaining("must not be shorter than the soft one");
    }

    /** Checked when merged in the worker, a misfit used to fail the task with a worker error. */
    @Test
    void aCallsSoftLimitPastTheTasksHardLimitYieldsToIt() {
        TaskPolicies call = TaskPolicies.NONE.withTimeLimits(Duration.ofMinutes(10), null);
        TaskPolicies declared = TaskPolicies.NONE.withTimeLimits(Duration.ofMinutes(1), Duration.ofMinutes(5));

        TaskPolicies merged = call.orElse(declared);

        assertThat(merged.hardTimeLimit()).isEqualTo(Duration.ofMinutes(5));
        assertThat(merged.softTimeLimit()).isNull();
        assertThat(TaskPolicies.NONE.withTimeLimits(Duration.ofMinutes(2), null).orElse(declared).softTimeLimit())
                .isEqualTo(Duration.ofMinutes(2));
    }
}
