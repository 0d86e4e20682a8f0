package dev.taskqueue.benchmarks;

import static dev.taskqueue.benchmarks.SmokeRuns.assertCpuPerTaskOrNotApplicable;
import static dev.taskqueue.benchmarks.SmokeRuns.figure;
import static dev.taskqueue.benchmarks.SmokeRuns.runSmoke;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Runs every default scenario at smoke sizes, so that the harness cannot rot. Speed is never asserted: only that
 * every scenario finished and measured something (with or without redis-benchmark on the PATH). The scenarios run
 * by name are {@link SmokeNamedScenariosTest}'s (a class of their own, so that the two run in parallel forks).
 */
class SmokeBenchmarkTest {

    @Test
    @Timeout(300)
    void everyScenarioRunsToTheEndAtSmokeSizes() throws Exception {
        JsonNode json = runSmoke("smoke-results.json");

        assertThat(json.get("mode").asString()).isEqualTo("smoke");
        JsonNode scenarios = json.get("scenarios");
        assertThat(scenarios).hasSize(Benchmarks.DEFAULT_SCENARIOS.size());
        for (JsonNode scenario : scenarios) {
            assertThat(scenario.get("status").asString()).as(scenario.get("name").asString()).isEqualTo("OK");
            assertThat(scenario.get("figures")).as(scenario.get("name").asString()).isNotEmpty();
            assertCpuPerTaskOrNotApplicable(scenario);
            if (scenario.get("name").asString().startsWith("latency-")) {
                // The tail split in two: every probe's whole latency holds its part after the submit call began.
                assertThat(figure(scenario, "producer.late.p99")).isNotNegative();
                assertThat(figure(scenario, "call.start.p99")).isPositive()
                        .isLessThanOrEqualTo(figure(scenario, "latency.p99"));
            }
        }
        assertThat(json.get("environment").get("jvmArguments")).isNotNull();
    }
}
