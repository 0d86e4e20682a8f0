package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScenarioResultTest {

    /** The machine drifts within a sitting: each run's rate is divided by the reference measured right before it. */
    @Test
    void eachRunIsDividedByItsOwnReference() {
        ScenarioResult result = new ScenarioResult("s", "s", List.of(run(100_000, 1_000_000.0),
                run(90_000, 500_000.0), run(110_000, 1_100_000.0), run(200_000, null)));

        assertThat(result.ratios("r")).containsExactly(0.1, 0.18, 0.1);
        assertThat(result.ratio("r")).isEqualTo(0.1);
        assertThat(result.ratio("l")).as("not a rate").isNull();
    }

    private static ScenarioResult.Run run(double rate, Double lpush) {
        return new ScenarioResult.Run(ScenarioResult.Status.OK, null, List.of(Figure.rate("r", "r", rate),
                Figure.millis("l", "l", 1)), List.of(), 1, null, null, lpush);
    }
}
