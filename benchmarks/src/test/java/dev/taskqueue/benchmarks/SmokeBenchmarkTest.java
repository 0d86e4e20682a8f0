package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs every scenario at smoke sizes, so that the harness cannot rot. Speed is never asserted: only that every
 * scenario finished and measured something (with or without redis-benchmark on the PATH), and that the chaos
 * scenario lost nothing and kept its hostile data apart, and the celery scenario where Python Celery is installed.
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

    @Test
    @Timeout(240)
    void chaosKillsWorkersRestartsRedisWritesHostileDataAndLosesNothingAtSmokeSizes() throws Exception {
        Path output = Path.of("target", "smoke-chaos-results.json");
        int status = runSmoke("chaos", output);

        JsonNode chaos = json(output).get("scenarios").get(0);
        assertThat(status).as(chaos.toString()).isZero();
        assertThat(figure(chaos, "chaos.units")).isPositive();
        assertThat(figure(chaos, "chaos.lost")).isZero();
        assertThat(figure(chaos, "chaos.failed")).isZero();
        assertThat(figure(chaos, "chaos.kills")).isPositive();
        assertThat(figure(chaos, "chaos.redis.down")).isPositive();
        assertThat(json(output).get("environment").get("redis").asString()).contains("--appendonly yes");
        // The hostile data ended as documented, each shape counted, and hurt nothing.
        assertThat(figure(chaos, "chaos.hostile.stream")).isEqualTo(5);
        assertThat(figure(chaos, "chaos.hostile.poison")).isEqualTo(1);
        assertThat(figure(chaos, "chaos.hostile.held")).isEqualTo(1);
        assertThat(figure(chaos, "chaos.hostile.delayed")).isEqualTo(3);
        assertThat(figure(chaos, "chaos.hostile.values")).isEqualTo(3);
        assertThat(figure(chaos, "chaos.hostile.unique")).isEqualTo(3);
        assertThat(figure(chaos, "chaos.hostile.ran")).isZero();
        assertThat(figure(chaos, "chaos.hostile.dead.own")).isZero();
        assertThat(figure(chaos, "chaos.hostile.problems")).isZero();
    }

    @Test
    @Timeout(120)
    void celeryDrainsWithPythonAndJavaAndSubmitsInBulkAtSmokeSizes() throws Exception {
        // .ci/run installs Python Celery: there, its absence is a broken setup, not a reason to skip.
        assumeTrue(PythonCeleryWorker.installed() || "true".equalsIgnoreCase(System.getenv("CI")),
                "Python Celery is not installed (sudo apt-get install python3-celery python3-redis): skipped");
        Path output = Path.of("target", "smoke-celery-results.json");
        int status = runSmoke("celery", output);

        JsonNode celery = json(output).get("scenarios").get(0);
        assertThat(status).as(celery.toString()).isZero();
        assertThat(figure(celery, "celery.python.drain.rate")).isPositive();
        assertThat(figure(celery, "celery.java.drain.rate")).isPositive();
        assertThat(figure(celery, "celery.drain.ratio")).isPositive();
        assertThat(figure(celery, "celery.bulk.rate")).isPositive();
    }

    /**
     * The transaction scenarios alone: each measured a rate with its CPU per transaction; the outbox moved every task
     * to Redis in rounds of one statement (the relay's DELETE ... RETURNING, its commit aside), and a transaction
     * costs the application two statements (its row and the outbox row) against after-commit's one.
     */
    @Test
    @Timeout(120)
    void transactionsRunAfterCommitAndThroughTheOutboxAtSmokeSizes() throws Exception {
        Path output = Path.of("target", "smoke-tx-results.json");
        Files.deleteIfExists(output);
        int status = Benchmarks.run(new String[] { "--smoke", "--scenario", "tx-after-commit,tx-outbox", "--output",
                output.toString() }, System.out);

        JsonNode scenarios = json(output).get("scenarios");
        assertThat(status).as(scenarios.toString()).isZero();
        JsonNode afterCommit = scenarios.get(0);
        JsonNode outbox = scenarios.get(1);
        assertThat(figure(afterCommit, "tx.rate")).isPositive();
        assertThat(figure(afterCommit, "tx.commit.p99")).isPositive();
        assertThat(figure(afterCommit, "tx.statements")).isEqualTo(1);
        assertThat(figure(outbox, "tx.rate")).isPositive();
        assertThat(figure(outbox, "tx.redis.p99")).isPositive();
        assertThat(figure(outbox, "tx.relay.rounds")).isPositive();
        assertThat(figure(outbox, "tx.relay.rows")).isGreaterThanOrEqualTo(1);
        // On H2 a round that takes rows reads its bound first, without locks (OutboxTable.lastOfNextRows says why).
        assertThat(figure(outbox, "tx.relay.statements")).isBetween(1.0, 2.0);
        assertThat(figure(outbox, "tx.paced.redis.p99")).isPositive();
        assertThat(figure(afterCommit, "tx.paced.commit.p99")).isPositive();
        assertThat(figure(outbox, "tx.statements")).isEqualTo(2);
        assertCpuPerTaskOrNotApplicable(afterCommit);
        assertCpuPerTaskOrNotApplicable(outbox);
    }

    /** A scenario says its work costs CPU in the JVM and in Redis per task, or says n/a (not counted in tasks). */
    private static void assertCpuPerTaskOrNotApplicable(JsonNode scenario) {
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
    private static int runSmoke(String scenario, Path output) throws Exception {
        Files.deleteIfExists(output);
        return Benchmarks.run(new String[] { "--smoke", "--scenario", scenario, "--output", output.toString() },
                System.out);
    }

    private static double figure(JsonNode scenario, String key) {
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
