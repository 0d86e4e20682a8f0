package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunAnalysisTest {

    private static final long T0 = 1_000_000;

    @Test
    void aRunCutShortByAKillIsExpectedAndTimesTheRecovery() {
        RunAnalysis analysis = analysis(List.of(run("a", "t1", 1, 100, null), run("b", "t1", 1, 5_300, 5_400L),
                run("a", "t2", 1, 150, 200L)), List.of(killed("a", 250), alive("b")), List.of());

        assertThat(analysis.extraRuns()).singleElement().satisfies(extra -> {
            assertThat(extra.cause()).isEqualTo(RunAnalysis.Cause.KILLED_RUNNING);
            assertThat(extra.story()).contains("killed while it ran it", "5050 ms after the kill");
        });
        assertThat(analysis.kills()).singleElement().satisfies(kill -> {
            assertThat(kill.lostRuns()).isEqualTo(1); // t2 returned before the kill, and never ran again
            assertThat(kill.allAgainAfter()).isEqualTo(5_050);
        });
    }

    @Test
    void aRunWhoseWorkerDiedBeforeTheAckIsExpected() {
        RunAnalysis analysis = analysis(List.of(run("a", "t1", 1, 100, 180L), run("b", "t1", 1, 5_300, 5_400L)),
                List.of(killed("a", 190), alive("b")), List.of());

        assertThat(analysis.extraRuns()).singleElement()
                .satisfies(extra -> assertThat(extra.cause()).isEqualTo(RunAnalysis.Cause.KILLED_BEFORE_ACK));
        assertThat(analysis.kills().get(0).allAgainAfter()).isEqualTo(5_110);
    }

    @Test
    void anOutcomeHeldUnrecordedLongBeforeTheKillIsNotExpected() {
        RunAnalysis analysis = analysis(List.of(run("a", "t1", 1, 100, 180L), run("b", "t1", 1, 45_300, 45_400L)),
                List.of(killed("a", 40_000), alive("b")), List.of());

        assertThat(analysis.extraRuns()).singleElement().satisfies(extra -> {
            assertThat(extra.cause()).isEqualTo(RunAnalysis.Cause.HELD_UNRECORDED);
            assertThat(extra.cause().expected()).isFalse();
            assertThat(extra.story()).contains("39820 ms after the handler returned", "held under that worker's lease");
        });
    }

    @Test
    void anOutcomeWaitingForRedisToComeBackIsOnItsWay() {
        BenchRedis.Restart restart = new BenchRedis.Restart(T0 + 150, T0 + 200, T0 + 3_000, true);
        RunAnalysis analysis = new RunAnalysis(List.of(run("a", "t1", 1, 100, 180L), run("b", "t1", 1, 9_000, 9_100L)),
                List.of(killed("a", 4_000), alive("b")), List.of(), restart, Map.of(), T0);

        assertThat(analysis.extraRuns()).singleElement()
                .satisfies(extra -> assertThat(extra.cause()).isEqualTo(RunAnalysis.Cause.KILLED_BEFORE_ACK));
    }

    @Test
    void aRunAgainWhileItsWorkerLivedIsNotExpectedAndSaysWhatTheWatchSaw() {
        FleetWatch.Drop drop = new FleetWatch.Drop("a", T0 + 5_200, 5_600, true);
        RunAnalysis analysis = analysis(List.of(run("a", "t1", 1, 100, null), run("b", "t1", 1, 5_300, 5_400L)),
                List.of(alive("a"), alive("b")), List.of(drop));

        assertThat(analysis.extraRuns()).singleElement().satisfies(extra -> {
            assertThat(extra.cause()).isEqualTo(RunAnalysis.Cause.WORKER_ALIVE);
            assertThat(extra.story()).contains("taken for dead", "t+5.200s", "5600 ms before");
        });
    }

    @Test
    void aRunAgainOnItsOwnWorkerQuotesTheWorkersLog() {
        RunAnalysis analysis = new RunAnalysis(List.of(run("a", "t1", 1, 100, 150L), run("a", "t1", 1, 400, 450L)),
                List.of(alive("a")), List.of(), null, Map.of("t1", List.of("a: handed back")), T0);

        assertThat(analysis.extraRuns()).singleElement().satisfies(extra -> {
            assertThat(extra.cause()).isEqualTo(RunAnalysis.Cause.SAME_WORKER);
            assertThat(extra.story()).contains("the same worker", "logged: a: handed back");
        });
    }

    @Test
    void aRetryIsANewAttemptNotAnExtraRun() {
        RunAnalysis analysis = analysis(List.of(run("a", "t1", 1, 100, 150L), run("b", "t1", 2, 400, 450L)),
                List.of(alive("a"), alive("b")), List.of());

        assertThat(analysis.extraRuns()).isEmpty();
        assertThat(analysis.runsPerTask()).containsEntry("t1", 2);
    }

    @Test
    void theJournalPairsEachEndWithItsStartAndSkipsALineCutShort(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.runs");
        try (RunJournal journal = RunJournal.appendingTo(file)) {
            journal.started("t1", 1);
            journal.started("t2", 1);
            journal.ended("t1", 1, true);
            journal.started("t3", 2);
            journal.ended("t3", 2, false);
        }
        Files.writeString(file, "S 12", java.nio.file.StandardOpenOption.APPEND);

        List<RunJournal.Run> runs = RunJournal.read(file, "w");

        assertThat(runs).extracting(RunJournal.Run::taskId).containsExactly("t1", "t2", "t3");
        assertThat(runs.get(0).endedAt()).isNotNull();
        assertThat(runs.get(0).ok()).isTrue();
        assertThat(runs.get(1).endedAt()).isNull();
        assertThat(runs.get(2).attempt()).isEqualTo(2);
        assertThat(runs.get(2).ok()).isFalse();
    }

    private static RunAnalysis analysis(List<RunJournal.Run> runs, List<RunAnalysis.Worker> workers,
            List<FleetWatch.Drop> drops) {
        return new RunAnalysis(runs, workers, drops, null, Map.of(), T0);
    }

    private static RunJournal.Run run(String worker, String task, int attempt, long start, Long end) {
        return new RunJournal.Run(worker, task, attempt, T0 + start, end == null ? null : T0 + end, end != null);
    }

    private static RunAnalysis.Worker killed(String id, long at) {
        return new RunAnalysis.Worker(id, T0 + at);
    }

    private static RunAnalysis.Worker alive(String id) {
        return new RunAnalysis.Worker(id, -1);
    }
}
