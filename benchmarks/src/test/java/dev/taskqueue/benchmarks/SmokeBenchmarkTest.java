package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs every default scenario at smoke sizes, so that the harness cannot rot. Speed is never asserted: only that
 * every scenario finished and measured something (with or without redis-benchmark on the PATH). The scenarios run
 * by name are {@link SmokeNamedScenariosTest}'s (a class of their own, so that the two run in parallel forks).
 */
class SmokeBenchmarkTest {

    @Test
    @Timeout(300)
    void everyScenarioRunsToTheEndAtSmokeSizes() throws Exception {
        Path output = Path.of("target", "smoke-results.json");
        Files.deleteIfExists(output);

        int status = Benchmarks.run(new String[] { "--smoke", "--output", output.toString() }, System.out);

        assertThat(status).isZero();
        JsonNode json = JsonMapper.builder().build().readTree(output.toFile());
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

    /** A scenario says its work costs CPU in the JVM and in Redis per task, or says n/a (not counted in tasks). */
    static void assertCpuPerTaskOrNotApplicable(JsonNode scenario) {
        String name = scenario.get("name").asString();
        if (scenario.has("cpuPerTask")) {
            assertThat(scenario.get("cpuPerTask").asString()).as(name).isEqualTo("n/a");
            return;
        }
        boolean measured = false;
        for (JsonNode figure : scenario.get("figures")) {
            JsonNode cpu = figure.get("cpuPerTask");
            if (cpu != null && cpu.isObject()) {
                assertThat(cpu.get("jvmMicros").asDouble()).as(name + " " + figure.get("key")).isPositive();
                assertThat(cpu.get("redisMicros").asDouble()).as(name + " " + figure.get("key")).isPositive();
                assertThat(cpu.get("redisCommandsPerTask").properties()).as(name).isNotEmpty();
                measured = true;
            }
        }
        assertThat(measured).as(name + ": CPU per task, or n/a").isTrue();
    }

    /** Runs one scenario at smoke sizes, its JSON written to {@code output}; the exit status. */
    static int runSmoke(String scenario, Path output) throws Exception {
        Files.deleteIfExists(output);
        return Benchmarks.run(new String[] { "--smoke", "--scenario", scenario, "--output", output.toString() },
                System.out);
    }

    static double figure(JsonNode scenario, String key) {
        for (JsonNode figure : scenario.get("figures")) {
            if (figure.get("key").asString().equals(key)) {
                return figure.get("value").asDouble();
            }
        }
        throw new AssertionError("no figure " + key + " in " + scenario);
    }

    static JsonNode json(Path file) {
        return JsonMapper.builder().build().readTree(file.toFile());
    }
}
