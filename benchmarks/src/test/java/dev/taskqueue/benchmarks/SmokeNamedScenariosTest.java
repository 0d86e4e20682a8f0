package dev.taskqueue.benchmarks;

import static dev.taskqueue.benchmarks.SmokeRuns.assertCpuPerTaskOrNotApplicable;
import static dev.taskqueue.benchmarks.SmokeRuns.figure;
import static dev.taskqueue.benchmarks.SmokeRuns.runSmoke;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The scenarios run by name, at smoke sizes: the chaos scenario loses nothing and keeps its hostile data apart, the
 * celery scenario runs where Python Celery is installed, and the transaction scenarios measure what they say. Speed
 * is never asserted.
 */
class SmokeNamedScenariosTest {

    @Test
    @Timeout(240)
    void chaosKillsWorkersRestartsRedisWritesHostileDataAndLosesNothingAtSmokeSizes() throws Exception {
        JsonNode results = runSmoke("smoke-chaos-results.json", "--scenario", "chaos");

        JsonNode chaos = results.get("scenarios").get(0);
        assertThat(figure(chaos, "chaos.units")).isPositive();
        assertThat(figure(chaos, "chaos.lost")).isZero();
        assertThat(figure(chaos, "chaos.failed")).isZero();
        assertThat(figure(chaos, "chaos.kills")).isPositive();
        assertThat(figure(chaos, "chaos.redis.down")).isPositive();
        assertThat(results.get("environment").get("redis").asString()).contains("--appendonly yes");
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
        JsonNode celery = runSmoke("smoke-celery-results.json", "--scenario", "celery").get("scenarios").get(0);

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
        JsonNode scenarios = runSmoke("smoke-tx-results.json", "--scenario", "tx-after-commit,tx-outbox")
                .get("scenarios");
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
}
