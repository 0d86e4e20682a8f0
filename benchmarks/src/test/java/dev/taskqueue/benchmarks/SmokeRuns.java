package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the smoke tests share: running a scenario at smoke sizes, and reading what its JSON says. */
final class SmokeRuns {

    private SmokeRuns() {
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

    /** Runs scenarios ({@code a,b}) at smoke sizes, their JSON written to {@code output}; the exit status. */
    static int runSmoke(String scenario, Path output) throws Exception {
        Files.deleteIfExists(output);
        return Benchmarks.run(new String[] { "--smoke", "--scenario", scenario, "--output", output.toString() },
                System.out);
    }

    /** The value of the figure {@code key} of {@code scenario}; fails if it has none. */
    static double figure(JsonNode scenario, String key) {
        for (JsonNode figure : scenario.get("figures")) {
            if (figure.get("key").asString().equals(key)) {
                return figure.get("value").asDouble();
            }
        }
        throw new AssertionError("no figure " + key + " in " + scenario);
    }

    /** The results JSON a run wrote. */
    static JsonNode json(Path file) {
        return JsonMapper.builder().build().readTree(file.toFile());
    }
}
