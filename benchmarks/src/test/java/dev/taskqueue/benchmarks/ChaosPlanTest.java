package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ChaosPlanTest {

    @Test
    void hostileDataIsWrittenBetweenTheFirstFaultAndTheSecondInEveryMode() {
        for (Sizes sizes : new Sizes[] { Sizes.FULL, Sizes.QUICK, Sizes.SMOKE }) {
            ChaosPlan plan = sizes.chaos();
            assertThat(plan.hostile()).as(sizes.mode()).isTrue();
            assertThat(plan.hostileAt()).as(sizes.mode()).isGreaterThan(plan.killInterval())
                    .isLessThan(plan.killInterval().multipliedBy(2));
        }
    }

    @Test
    void hostileDataOfARunWithOneFaultIsWrittenInItsMiddle() {
        ChaosPlan plan = Sizes.QUICK.chaos().with(null, Duration.ofSeconds(10), Duration.ofSeconds(9), null, null,
                false);

        assertThat(plan.hostileAt()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void noHostileLeavesTheHostileDataOut() {
        assertThat(Options.parse("--quick", "--no-hostile").sizes().chaos().hostile()).isFalse();
        assertThat(Options.parse("--quick").sizes().chaos().hostile()).isTrue();
    }
}
