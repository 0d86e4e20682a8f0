package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import org.jspecify.annotations.Nullable;

/**
 * The chaos scenario's findings, from what was submitted, what the records say at the end and what the journals
 * say ({@link RunAnalysis}): the figures of the table, and a note for each fault and for everything that went
 * wrong. A unit is completed when its final task succeeded with the expected result, failed when it ended
 * otherwise, and lost when it had not ended by the end of the settle time.
 */
final class ChaosVerdict {

    private final ChaosPlan plan;
    private final ChaosProducer producer;
    private final Map<String, TaskInfo> finals;
    private final RunAnalysis analysis;
    private final Engine engine;
    private final BenchRedis.@Nullable Restart restart;
    private final List<FleetWatch.Drop> drops;
    private final Map<String, Long> silences;
    private final List<String> lost = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private int bugs;

    /**
     * @param finals the last record read of each unit's final task
     * @param engine reads the records of the tasks that completed around the restart
     * @param silences the longest heartbeat silence of each worker while it ran
     */
    ChaosVerdict(ChaosPlan plan, ChaosProducer producer, Map<String, TaskInfo> finals, RunAnalysis analysis,
            Engine engine, Map<String, Long> silences) {
        this.plan = plan;
        this.producer = producer;
        this.finals = finals;
        this.analysis = analysis;
        this.engine = engine;
        this.restart = analysis.restart();
        this.drops = analysis.drops();
        this.silences = silences;
    }

    void report(Findings out) {
        units(out);
        Map<Long, String> faults = new TreeMap<>(); // the kills and the restart, noted in the order they happened
        kills(out, faults);
        restart(out, faults);
        faults.values().forEach(out::note);
        extraRuns(out);
        chords(out);
        fleet(out);
    }

    /** Whether a unit was lost or failed (or gave a wrong result). */
    boolean failed() {
        return !lost.isEmpty() || !failed.isEmpty();
    }

    /** Extra runs while the worker of the run before lived, and live workers taken for dead. */
    int bugs() {
        return bugs;
    }

    String failure() {
        return String.format(Locale.ROOT, "of %d units acknowledged, %d lost (unfinished %d s after the last submit)"
                + " and %d failed or wrong; the notes say which", producer.accepted().size(), lost.size(),
                plan.settle().toSeconds(), failed.size());
    }

    private void units(Findings out) {
        List<ChaosProducer.Unit> units = producer.accepted();
        Map<ChaosProducer.Kind, Integer> kinds = new EnumMap<>(ChaosProducer.Kind.class);
        units.forEach(u -> kinds.merge(u.kind(), 1, Integer::sum));
        int completed = 0;
        List<ChaosProducer.Unit> unfinished = units.stream().filter(u -> finals.get(u.finalTaskId()) == null
                || !finals.get(u.finalTaskId()).state().isFinished()).toList();
        Map<String, TaskInfo> states = engine.infos(ChaosTasks.QUEUE,
                unfinished.stream().flatMap(u -> u.taskIds().stream()).toList());
        for (ChaosProducer.Unit unit : units) {
            TaskInfo info = finals.get(unit.finalTaskId());
            if (unfinished.contains(unit)) {
                lost.add(unit.id());
                out.note("LOST " + describe(unit) + ": " + whatBecameOfItsTasks(unit, states));
            }
            else if (info.state() != TaskState.SUCCESS) {
                failed.add(unit.id());
                out.note("FAILED " + describe(unit) + ": " + info.state()
                        + (info.error() == null ? "" : " (" + info.error().summary() + ")"));
            }
            else if (!String.valueOf(unit.expected()).equals(String.valueOf(info.resultJson()).trim())) {
                failed.add(unit.id());
                out.note("WRONG RESULT " + describe(unit) + ": " + info.resultJson() + ", expected " + unit.expected());
            }
            else {
                completed++;
            }
        }
        out.note(String.format(Locale.ROOT, "acknowledged: %d tasks, %d retried tasks, %d chains, %d chords",
                kinds.getOrDefault(ChaosProducer.Kind.TASK, 0), kinds.getOrDefault(ChaosProducer.Kind.RETRIED, 0),
                kinds.getOrDefault(ChaosProducer.Kind.CHAIN, 0), kinds.getOrDefault(ChaosProducer.Kind.CHORD, 0)));
        out.add(Figure.count("chaos.units", "units submitted and acknowledged", units.size()));
        List<ChaosProducer.Refusal> refused = producer.refused();
        out.add(Figure.count("chaos.refused", "submits refused (Redis restarting)", refused.size()));
        refusedButStored(refused, out);
        out.add(Figure.count("chaos.completed", "units completed with the right result", completed));
        out.add(Figure.count("chaos.lost", "lost: acknowledged, unfinished " + plan.settle().toSeconds() + " s after",
                lost.size()).target(Figure.Target.atMost(0)));
        out.add(Figure.count("chaos.failed", "failed, or a wrong result", failed.size())
                .target(Figure.Target.atMost(0)));
    }

    /** A refused submit may have been stored all the same (Redis went down after storing, before replying). */
    private void refusedButStored(List<ChaosProducer.Refusal> refused, Findings out) {
        if (refused.isEmpty()) {
            return;
        }
        Map<String, TaskInfo> infos = engine.infos(ChaosTasks.QUEUE,
                refused.stream().map(r -> r.unit().finalTaskId()).toList());
        long stored = infos.values().stream().filter(i -> i.state() != TaskState.PENDING).count();
        out.note(String.format(Locale.ROOT, "%d submits refused, first: %s; %d of them were stored all the same",
                refused.size(), refused.get(0).error(), stored));
    }

    private void extraRuns(Findings out) {
        Map<RunAnalysis.Cause, Integer> causes = new EnumMap<>(RunAnalysis.Cause.class);
        for (RunAnalysis.ExtraRun extra : analysis.extraRuns()) {
            causes.merge(extra.cause(), 1, Integer::sum);
            out.note((extra.cause().expected() ? "run again (expected): " : "RUN AGAIN, NOT EXPECTED: ")
                    + extra.story());
        }
        causes.forEach((cause, n) -> bugs += cause.expected() ? 0 : n);
        out.add(Figure.count("chaos.runs", "handler runs", analysis.runCount()));
        out.add(Figure.count("chaos.again", "tasks run more than once in one attempt",
                analysis.extraRuns().stream().map(e -> e.again().key()).distinct().count()));
        out.add(Figure.count("chaos.again.killed", "run again: worker killed during the run",
                causes.getOrDefault(RunAnalysis.Cause.KILLED_RUNNING, 0)));
        out.add(Figure.count("chaos.again.unacked", "run again: worker killed before the ack",
                causes.getOrDefault(RunAnalysis.Cause.KILLED_BEFORE_ACK, 0)));
        out.add(Figure.count("chaos.again.held", "run again: outcome held unrecorded, then killed",
                causes.getOrDefault(RunAnalysis.Cause.HELD_UNRECORDED, 0)).target(Figure.Target.atMost(0)));
        out.add(Figure.count("chaos.again.alive", "run again elsewhere, its worker alive",
                causes.getOrDefault(RunAnalysis.Cause.WORKER_ALIVE, 0)).target(Figure.Target.atMost(0)));
        out.add(Figure.count("chaos.again.same", "run again by its own live worker",
                causes.getOrDefault(RunAnalysis.Cause.SAME_WORKER, 0)).target(Figure.Target.atMost(0)));
    }

    private void kills(Findings out, Map<Long, String> faults) {
        List<Double> recoveries = new ArrayList<>();
        List<RunAnalysis.KillRecovery> kills = analysis.kills();
        for (RunAnalysis.KillRecovery kill : kills) {
            FleetWatch.Drop drop = drops.stream().filter(d -> d.workerId().equals(kill.worker()) && !d.alive())
                    .findFirst().orElse(null);
            String detected = drop == null ? "" : String.format(Locale.ROOT, "; gone from the live workers %,d ms "
                    + "after", drop.at() - kill.killedAt());
            String outcome = kill.lostRuns() == 0 ? "no task running or unrecorded"
                    : kill.allAgainAfter() >= 0 ? String.format(Locale.ROOT, "%d task(s) running or unrecorded, all "
                            + "ran again elsewhere within %,d ms", kill.lostRuns(), kill.allAgainAfter())
                    : String.format(Locale.ROOT, "%d task(s) running or unrecorded, %d ran again, never: %s",
                            kill.lostRuns(), kill.ranAgain(), kill.notAgain());
            faults.put(kill.killedAt(), analysis.at(kill.killedAt()) + " SIGKILL " + kill.worker() + ": " + outcome
                    + detected);
            if (kill.allAgainAfter() >= 0) {
                recoveries.add((double) kill.allAgainAfter());
            }
        }
        out.add(Figure.count("chaos.kills", String.format("kills (%d with tasks in flight)",
                kills.stream().filter(k -> k.lostRuns() > 0).count()), kills.size()));
        double[] sorted = recoveries.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length > 0) {
            String label = "kill -> its tasks all running elsewhere, ";
            out.add(Figure.millis("chaos.kill.recovery.min", label + "min", sorted[0]));
            out.add(Figure.millis("chaos.kill.recovery.median", label + "median", median(sorted)));
            out.add(Figure.millis("chaos.kill.recovery.max", label + "max", sorted[sorted.length - 1]));
        }
    }

    private void restart(Findings out, Map<Long, String> faults) {
        if (restart == null) {
            return;
        }
        Set<String> candidates = new TreeSet<>();
        analysis.runs().stream().filter(r -> r.endedAt() != null && r.endedAt() >= restart.sigtermAt() - 1_000
                && r.startedAt() <= restart.upAt() + 60_000).forEach(r -> candidates.add(r.taskId()));
        long first = engine.infos(ChaosTasks.QUEUE, candidates).values().stream()
                .filter(i -> i.state() == TaskState.SUCCESS && i.finishedAt() != null
                        && i.finishedAt().toEpochMilli() >= restart.upAt())
                .mapToLong(i -> i.finishedAt().toEpochMilli()).min().orElse(-1);
        faults.put(restart.sigtermAt(), String.format(Locale.ROOT, "%s Redis restart: SIGTERM, %s after %,d ms; "
                + "answering again %,d ms after the SIGTERM (append-only file reloaded); first task completed %s",
                analysis.at(restart.sigtermAt()), restart.clean() ? "exited by itself" : "still running, killed",
                restart.exitedAt() - restart.sigtermAt(), restart.upAt() - restart.sigtermAt(),
                first < 0 ? "never" : (first - restart.upAt()) + " ms later"));
        out.add(Figure.millis("chaos.redis.down", "Redis restart: SIGTERM -> answering again",
                restart.upAt() - restart.sigtermAt()));
        if (first >= 0) {
            out.add(Figure.millis("chaos.redis.recovery", "Redis answering again -> a task completed",
                    first - restart.upAt()));
        }
    }

    private void chords(Findings out) {
        Map<String, Integer> runs = analysis.runsPerTask();
        int chords = 0;
        int once = 0;
        for (ChaosProducer.Unit unit : producer.accepted()) {
            if (unit.kind() == ChaosProducer.Kind.CHORD) {
                chords++;
                int n = runs.getOrDefault(unit.finalTaskId(), 0);
                if (n == 1) {
                    once++;
                }
                else if (n == 0) {
                    out.note("chord " + unit.id() + ": its callback never ran");
                }
            }
        }
        out.add(Figure.count("chaos.chords.once", "chord callbacks run exactly once, of " + chords, once));
    }

    private void fleet(Findings out) {
        long falseDeaths = drops.stream().filter(FleetWatch.Drop::alive).count();
        drops.stream().filter(FleetWatch.Drop::alive).forEach(d -> out.note(String.format(Locale.ROOT,
                "LIVE WORKER DROPPED: %s left the live workers at %s, its last heartbeat %,d ms before", d.workerId(),
                analysis.at(d.at()), d.silentFor())));
        bugs += (int) falseDeaths;
        out.add(Figure.count("chaos.dropped", "live workers taken for dead", falseDeaths)
                .target(Figure.Target.atMost(0)));
        long silence = silences.values().stream().mapToLong(Long::longValue).max().orElse(0);
        out.add(Figure.millis("chaos.silence", "longest heartbeat silence of a live worker", silence));
    }

    /** Each task's state at the end (absent: never stored), where it ran, and what its workers logged of it. */
    private String whatBecameOfItsTasks(ChaosProducer.Unit unit, Map<String, TaskInfo> states) {
        List<String> parts = new ArrayList<>();
        for (String id : unit.taskIds()) {
            TaskInfo info = states.get(id);
            List<String> on = analysis.runs().stream().filter(r -> r.taskId().equals(id))
                    .map(r -> r.worker() + (r.endedAt() == null ? " (cut short)" : r.ok() ? "" : " (failed)")).toList();
            List<String> logged = analysis.logMentions(id);
            parts.add(id + " " + (info == null ? "unreadable" : info.state() == TaskState.PENDING ? "PENDING or absent"
                    : info.state()) + (on.isEmpty() ? ", never ran" : ", ran on " + String.join(", ", on))
                    + (logged.isEmpty() ? "" : " (logged: " + String.join(" | ", logged) + ")"));
        }
        return String.join("; ", parts);
    }

    private static String describe(ChaosProducer.Unit unit) {
        return unit.id() + " (" + unit.kind().name().toLowerCase(Locale.ROOT) + ")";
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
