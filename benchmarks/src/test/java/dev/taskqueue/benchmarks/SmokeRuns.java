package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the smoke tests share: running a scenario at smoke sizes, and reading what its JSON says. */
final class SmokeRuns {

    private SmokeRuns() {
    }

    /**
     * A scenario says its work costs CPU in the JVM and in Redis per task, or says n/a (not counted in tasks). A
     * process's CPU clock ticks every 10 ms here ({@code getProcessCpuTime} and {@code /proc} count clock ticks), so
     * one figure of a stretch as short as a smoke run's can read 0; the scenario's figures together cannot.
     */
    static void assertCpuPerTaskOrNotApplicable(JsonNode scenario) {
        String name = scenario.get("name").asString();
        if (scenario.has("cpuPerTask")) {
            assertThat(scenario.get("cpuPerTask").asString()).as(name).isEqualTo("n/a");
            return;
        }
        boolean measured = false;
        double jvm = 0;
        double redis = 0;
        for (JsonNode figure : scenario.get("figures")) {
            JsonNode cpu = figure.get("cpuPerTask");
            if (cpu != null && cpu.isObject()) {
                assertThat(cpu.get("jvmMicros").isNumber()).as(name + " " + figure.get("key") + " JVM").isTrue();
                assertThat(cpu.get("redisMicros").isNumber()).as(name + " " + figure.get("key") + " Redis").isTrue();
                assertThat(cpu.get("redisCommandsPerTask").properties()).as(name).isNotEmpty();
                jvm += cpu.get("jvmMicros").asDouble();
                redis += cpu.get("redisMicros").asDouble();
                measured = true;
            }
        }
        assertThat(measured).as(name + ": CPU per task, or n/a").isTrue();
        assertThat(jvm).as(name + ": JVM CPU per task").isPositive();
        assertThat(redis).as(name + ": Redis CPU per task").isPositive();
    }

    /**
     * Runs the benchmarks at smoke sizes with {@code options} (none: the default scenarios), their JSON written to
     * {@code target/<output>}; checks that they exited with status 0 (else fails, showing the scenarios' results)
     * and returns the JSON.
     */
    static JsonNode runSmoke(String output, String... options) throws Exception {
        Path file = Path.of("target", output);
        Files.deleteIfExists(file);
        List<String> arguments = new ArrayList<>(List.of("--smoke", "--output", file.toString()));
        arguments.addAll(List.of(options));
        int status = Benchmarks.run(arguments.toArray(String[]::new), System.out);
        JsonNode json = Files.exists(file) ? json(file) : null;
        assertThat(status).as(json != null ? json.get("scenarios").toString() : "no results written").isZero();
        return json;
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

    private static JsonNode json(Path file) {
        return JsonMapper.builder().build().readTree(file.toFile());
    }
}
