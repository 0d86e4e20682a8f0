package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What the workers' journals say, against what the harness did to the workers:
 * <ol>
 * <li>every task that ran more than once in one attempt (a retry is a new attempt), with the cause of each extra
 * run: expected when the worker of the run before was killed while it ran it, or after its handler returned but
 * before the outcome could be recorded; anything else is a bug, explained with what the fleet watch saw;</li>
 * <li>for each kill, the tasks the killed worker had started and never saw recorded, and how long until each ran
 * again on another worker.</li>
 * </ol>
 */
final class RunAnalysis {

    /**
     * A worker JVM as the harness knew it.
     *
     * @param id its worker id
     * @param killedAt when it got SIGKILL, epoch ms; -1 if it never did
     */
    record Worker(String id, long killedAt) {

        boolean killedBetween(long from, long to) {
            return killedAt >= 0 && from <= killedAt && killedAt <= to;
        }
    }

    /** Why a task ran again in the same attempt. */
    enum Cause {

        /** Its worker was killed while it ran it: expected (at least once). */
        KILLED_RUNNING,

        /** Its worker was killed after the handler returned, before the outcome could be recorded: expected. */
        KILLED_BEFORE_ACK,

        /**
         * Its worker was killed long after the handler returned, the outcome still not recorded: the task was
         * held under that worker's lease meanwhile, and would have waited for the visibility timeout had the worker
         * lived. Not expected.
         */
        HELD_UNRECORDED,

        /** Its own worker, alive, ran it again (it handed it back): not expected. */
        SAME_WORKER,

        /** Another worker ran it while the worker of the run before lived: not expected. */
        WORKER_ALIVE;

        boolean expected() {
            return this == KILLED_RUNNING || this == KILLED_BEFORE_ACK;
        }
    }

    /**
     * A run that should not have been needed, or was.
     *
     * @param before the run before it, of the same task and attempt
     * @param again the extra run
     * @param cause why, in short
     * @param story what happened, in a sentence or two
     */
    record ExtraRun(RunJournal.Run before, RunJournal.Run again, Cause cause, String story) {
    }

    /**
     * One kill.
     *
     * @param worker the killed worker
     * @param killedAt when, epoch ms
     * @param lostRuns the runs it had started and not seen recorded: cut short, or returned but not yet acknowledged
     * @param ranAgain how many of those ran again on another worker
     * @param allAgainAfter ms from the kill until the last of them ran again; -1 unless all did
     * @param notAgain the tasks that never ran again
     */
    record KillRecovery(String worker, long killedAt, int lostRuns, int ranAgain, long allAgainAfter,
            List<String> notAgain) {
    }

    /**
     * How long an outcome may wait after its handler returned (or after Redis answers again, if it was down then)
     * and still be on its way: the acknowledgement is batched and takes milliseconds, or one retry after an outage.
     */
    static final long ACK_GRACE_MILLIS = 2_000;

    private final List<RunJournal.Run> runs;
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final List<FleetWatch.Drop> drops;
    private final BenchRedis.@Nullable Restart restart;
    private final Map<String, List<String>> logMentions;
    private final long origin;
    private final Map<String, List<RunJournal.Run>> byKey = new LinkedHashMap<>();

    /**
     * @param logMentions what the workers logged about each task, by task id: quoted as evidence of a bug
     * @param origin when the scenario started submitting, epoch ms: notes give times from there
     */
    RunAnalysis(List<RunJournal.Run> runs, List<Worker> workers, List<FleetWatch.Drop> drops,
            BenchRedis.@Nullable Restart restart, Map<String, List<String>> logMentions, long origin) {
        this.runs = List.copyOf(runs);
        workers.forEach(w -> this.workers.put(w.id(), w));
        this.drops = List.copyOf(drops);
        this.restart = restart;
        this.logMentions = Map.copyOf(logMentions);
        this.origin = origin;
        for (RunJournal.Run run : this.runs) {
            byKey.computeIfAbsent(run.key(), k -> new ArrayList<>()).add(run);
        }
        byKey.values().forEach(list -> list.sort(Comparator.comparingLong(RunJournal.Run::startedAt)));
    }

    List<RunJournal.Run> runs() {
        return runs;
    }

    List<FleetWatch.Drop> drops() {
        return drops;
    }

    BenchRedis.@Nullable Restart restart() {
        return restart;
    }

    int runCount() {
        return runs.size();
    }

    /** How many times each task ran, in all its attempts. */
    Map<String, Integer> runsPerTask() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        runs.forEach(r -> counts.merge(r.taskId(), 1, Integer::sum));
        return counts;
    }

    List<ExtraRun> extraRuns() {
        List<ExtraRun> extra = new ArrayList<>();
        for (List<RunJournal.Run> same : byKey.values()) {
            for (int i = 1; i < same.size(); i++) {
                extra.add(explain(same.get(i - 1), same.get(i)));
            }
        }
        extra.sort(Comparator.comparingLong(e -> e.again().startedAt()));
        return extra;
    }

    private ExtraRun explain(RunJournal.Run before, RunJournal.Run again) {
        Worker first = workers.getOrDefault(before.worker(), new Worker(before.worker(), -1));
        StringBuilder story = new StringBuilder(before.taskId()).append(" ran on ").append(before.worker())
                .append(" at ").append(at(before.startedAt()));
        if (first.killedBetween(before.startedAt(), again.startedAt())) {
            Cause cause;
            if (before.endedAt() == null) {
                cause = Cause.KILLED_RUNNING;
                story.append("; its worker was killed while it ran it (at ").append(at(first.killedAt())).append(')');
            }
            else {
                long waited = first.killedAt() - recordableFrom(before.endedAt());
                cause = waited <= ACK_GRACE_MILLIS ? Cause.KILLED_BEFORE_ACK : Cause.HELD_UNRECORDED;
                story.append("; its worker was killed at ").append(at(first.killedAt())).append(", ")
                        .append(first.killedAt() - before.endedAt()).append(" ms after the handler returned, ")
                        .append(cause == Cause.KILLED_BEFORE_ACK ? "before the outcome was recorded"
                                : "and the outcome was still not recorded: it was held under that worker's lease");
            }
            story.append("; ran again on ").append(again.worker()).append(' ')
                    .append(again.startedAt() - first.killedAt()).append(" ms after the kill");
            appendEvidence(story, before);
            return new ExtraRun(before, again, cause, story.toString());
        }
        Cause cause = before.worker().equals(again.worker()) ? Cause.SAME_WORKER : Cause.WORKER_ALIVE;
        if (before.endedAt() != null) {
            story.append(", returned at ").append(at(before.endedAt()));
        }
        story.append(", and ran again on ").append(cause == Cause.SAME_WORKER ? "the same worker"
                : again.worker()).append(" at ").append(at(again.startedAt())).append(" while ")
                .append(before.worker()).append(" lived");
        FleetWatch.Drop drop = drops.stream().filter(d -> d.alive() && d.workerId().equals(before.worker())
                && d.at() >= before.startedAt() - 1_000 && d.at() <= again.startedAt()).findFirst().orElse(null);
        if (drop != null) {
            story.append("; it was taken for dead: it left the live workers at ").append(at(drop.at()))
                    .append(", its last heartbeat ").append(drop.silentFor()).append(" ms before");
        }
        else if (cause == Cause.WORKER_ALIVE) {
            story.append(before.endedAt() == null ? "; its lease was taken back while it ran"
                    : "; its outcome was not recorded, or its lease was taken back first");
        }
        if (restart != null && restart.sigtermAt() <= again.startedAt()
                && restart.upAt() >= before.startedAt() - 10_000) {
            story.append("; Redis was restarting from ").append(at(restart.sigtermAt())).append(" to ")
                    .append(at(restart.upAt()));
        }
        appendEvidence(story, before);
        return new ExtraRun(before, again, cause, story.toString());
    }

    /** When an outcome of a handler that returned at {@code endedAt} could first be recorded: Redis answering. */
    private long recordableFrom(long endedAt) {
        return restart != null && restart.sigtermAt() <= endedAt && endedAt <= restart.upAt() ? restart.upAt()
                : endedAt;
    }

    private void appendEvidence(StringBuilder story, RunJournal.Run before) {
        List<String> logged = logMentions(before.taskId());
        if (!logged.isEmpty()) {
            story.append("; logged: ").append(String.join(" | ", logged));
        }
    }

    /** What the workers logged (warnings, errors) that names this task. */
    List<String> logMentions(String taskId) {
        return logMentions.getOrDefault(taskId, List.of());
    }

    /** Each kill, in order. */
    List<KillRecovery> kills() {
        List<KillRecovery> kills = new ArrayList<>();
        for (Worker worker : workers.values()) {
            if (worker.killedAt() < 0) {
                continue;
            }
            long killedAt = worker.killedAt();
            int lost = 0;
            int again = 0;
            long last = 0;
            List<String> notAgain = new ArrayList<>();
            for (RunJournal.Run run : runs) {
                if (!run.worker().equals(worker.id()) || run.startedAt() > killedAt) {
                    continue;
                }
                RunJournal.Run next = byKey.get(run.key()).stream().filter(r -> !r.worker().equals(worker.id())
                        && r.startedAt() >= killedAt).findFirst().orElse(null);
                if (run.endedAt() != null && next == null) {
                    continue; // returned and recorded
                }
                lost++;
                if (next != null) {
                    again++;
                    last = Math.max(last, next.startedAt() - killedAt);
                }
                else {
                    notAgain.add(run.taskId());
                }
            }
            kills.add(new KillRecovery(worker.id(), killedAt, lost, again, lost > 0 && again == lost ? last : -1,
                    notAgain));
        }
        kills.sort(Comparator.comparingLong(KillRecovery::killedAt));
        return kills;
    }

    /** A time as seconds from the start of the scenario's submits. */
    String at(long epochMillis) {
        return String.format(Locale.ROOT, "t+%.3fs", (epochMillis - origin) / 1e3);
    }
}
