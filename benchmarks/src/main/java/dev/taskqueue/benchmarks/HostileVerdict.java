package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.taskqueue.DeadLetter;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.broker.WorkerInfo;
import org.jspecify.annotations.Nullable;

/**
 * Where the hostile data ({@link HostileData}) ended, and whether it hurt the fleet:
 * <ol>
 * <li>{@link #await} reads the queue's dead letters until every malformed entry is there, alone, with the reason the
 * README's "Bad input" table gives, the dead worker is gone from the live ones and the orders have finished (or
 * until {@link #LIMIT}); the forged values must read as documented, when written and at the end;</li>
 * <li>{@link #report} gives one row per group of shapes (how many ended as documented, of how many), a note per
 * shape, and what would show harm: injected entries that ran (or tasks nobody submitted), dead letters of the
 * run's own tasks, worker loops still failing at the end, the recovery from the kills after the hostile data;</li>
 * <li>{@link #failure} says what hurt, if anything: the run then fails.</li>
 * </ol>
 */
final class HostileVerdict {

    /** How long the shapes have, once the run settled, to reach their end (a dead worker is found dead first). */
    static final Duration LIMIT = Duration.ofSeconds(30);

    /** What the rows' labels start with. */
    private static final String ROW = "hostile: ";

    /** The kill-9 scenario's target: a killed worker's tasks all start elsewhere within this. */
    private static final long KILL_RECOVERY_TARGET_MILLIS = 10_000;

    /** How a shape ended: as documented or not, and what was seen. */
    record Ending(HostileData.Group group, String shape, boolean documented, String story) {
    }

    private final HostileData data;
    private final Engine engine;
    private final Map<String, Ending> whenWritten = new LinkedHashMap<>(); // by shape
    private final List<Ending> endings = new ArrayList<>();
    private final List<DeadLetter> ownLetters = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private long lastQuarantined = -1;

    HostileVerdict(HostileData data, Engine engine) {
        this.data = data;
        this.engine = engine;
    }

    /** Reads the forged values back as they were written: call right after {@link HostileData#inject}. */
    void readBack() {
        List<Ending> read = new ArrayList<>(List.of(readRecord(), readWorker(false), readLetter()));
        read.addAll(readOrdersAsStored());
        read.forEach(ending -> whenWritten.put(ending.shape(), ending));
    }

    /** Reads until every shape reached its end, or {@link #LIMIT} or {@code room} passed; then judges. */
    void await(Duration room) {
        Deadline until = Deadline.in(room.compareTo(LIMIT) < 0 ? room : LIMIT);
        List<Ending> ended;
        while (true) {
            List<DeadLetter> letters = engine.admin.deadLetters(ChaosTasks.QUEUE, HostileData.ALL_LETTERS);
            ended = look(letters, until.passed());
            if (ended != null) {
                ownLetters.addAll(letters.stream().filter(l -> !data.wrote(l)).toList());
                break;
            }
            Deadline.sleep(500);
        }
        endings.addAll(ended);
    }

    /** How each shape ended; null while one has not yet, unless {@code last}: then it ended where it is. */
    private @Nullable List<Ending> look(List<DeadLetter> letters, boolean last) {
        List<Ending> seen = new ArrayList<>();
        for (HostileData.Entry entry : data.entries()) {
            List<DeadLetter> mine = letters.stream().filter(entry::matches).toList();
            if (mine.isEmpty() && !last) {
                return null;
            }
            seen.add(mine.isEmpty() ? new Ending(entry.group(), entry.shape(), false, "not in the dead letters "
                    + (System.currentTimeMillis() - data.writtenAt()) / 1_000 + " s after it was written; "
                    + (data.stillThere(entry) ? "still in " : "gone from ") + entry.key()) : quarantined(entry, mine));
        }
        Ending worker = readWorker(true);
        List<Ending> orders = readOrdersAtTheEnd();
        if (!last && (!worker.documented() || orders.stream().anyMatch(o -> !o.documented()))) {
            return null;
        }
        seen.add(bothTimes(readRecord()));
        seen.add(bothTimes(worker));
        seen.add(bothTimes(readLetter()));
        orders.forEach(order -> seen.add(bothTimes(order)));
        return seen;
    }

    private Ending quarantined(HostileData.Entry entry, List<DeadLetter> mine) {
        DeadLetter letter = mine.get(0);
        long after = letter.failedAt().toEpochMilli() - data.writtenAt();
        lastQuarantined = Math.max(lastQuarantined, after);
        if (mine.size() > 1) {
            return new Ending(entry.group(), entry.shape(), false, mine.size() + " dead letters, not one: "
                    + mine.stream().map(DeadLetter::reason).collect(Collectors.joining(" | ")));
        }
        boolean said = letter.reason().contains(entry.reason());
        return new Ending(entry.group(), entry.shape(), said, String.format(Locale.ROOT,
                "in the dead letters %,d ms after it was written, %s: %s", after, said ? "as documented"
                        : "but the reason does not say '" + entry.reason() + "'", letter.reason()));
    }

    /** As documented when it was written (if it was read then) and at the end: the end's story, else the first's. */
    private Ending bothTimes(Ending atTheEnd) {
        Ending first = whenWritten.get(atTheEnd.shape());
        return first == null || first.documented() ? atTheEnd : new Ending(atTheEnd.group(), atTheEnd.shape(), false,
                "when written: " + first.story());
    }

    /** Read through a handle of its queue, and through one that looks for it in every queue: both must refuse. */
    private Ending readRecord() {
        String shape = "task record with the state 'BOGUS'";
        RecordRead inQueue = readRecord(() -> engine.client.handle(ChaosTasks.QUEUE, data.recordId(), Object.class)
                .state());
        RecordRead anywhere = readRecord(() -> engine.client.handle(data.recordId()).state());
        if (inQueue.refused() && anywhere.refused()) {
            return values(shape, true, "its reads (in its queue, and in every queue) throw "
                    + "UnreadableRecordException, as documented: " + cut(inQueue.said()));
        }
        return values(shape, false, "read in its queue: " + inQueue.said() + "; looked for in every queue: "
                + anywhere.said());
    }

    /** How a read of the forged record went: refused as unreadable, naming it, or not; with what it said. */
    private record RecordRead(boolean refused, String said) {
    }

    private RecordRead readRecord(Supplier<TaskState> read) {
        try {
            return new RecordRead(false, "read as " + read.get() + ", not refused");
        }
        catch (UnreadableRecordException ex) {
            return new RecordRead(ex.getMessage().contains(data.recordId()), ex.getMessage());
        }
        catch (RuntimeException ex) {
            return new RecordRead(false, "failed otherwise: " + ex);
        }
    }

    /** Written: listed with what can be read. At the end: taken for dead and removed, its entry taken back. */
    private Ending readWorker(boolean atTheEnd) {
        String shape = "worker info hash with garbage (pid 'abc', concurrency '1x', started '-5')";
        List<WorkerInfo> workers;
        try {
            workers = engine.admin.workers();
        }
        catch (RuntimeException ex) {
            return values(shape, false, "listing the workers failed: " + ex);
        }
        WorkerInfo ghost = workers.stream().filter(w -> w.id().equals(data.ghost())).findFirst().orElse(null);
        if (atTheEnd) {
            return values(shape, ghost == null, ghost == null ? "listed with pid 0 and concurrency 0 when written, "
                    + "then taken for dead and removed" : "still listed as a worker at the end");
        }
        return ghost == null ? values(shape, false, "not listed")
                : values(shape, ghost.pid() == 0 && ghost.concurrency() == 0, "listed with pid " + ghost.pid()
                        + ", concurrency " + ghost.concurrency());
    }

    private Ending readLetter() {
        String shape = "dead letter with attempt 'abc', deliveries '1e+11', at 'never'";
        try {
            DeadLetter letter = engine.admin.deadLetters(ChaosTasks.QUEUE, HostileData.ALL_LETTERS).stream()
                    .filter(l -> l.taskId().equals(data.letterId())).findFirst().orElse(null);
            return letter == null ? values(shape, false, "not among the dead letters read")
                    : values(shape, letter.attempt() == 0, "read with attempt " + letter.attempt() + ", deliveries "
                            + letter.deliveries() + ", beside the others");
        }
        catch (RuntimeException ex) {
            return values(shape, false, "reading the dead letters failed: " + ex);
        }
    }

    /** Each caller's order stored under its own id, not collapsed into the other's. */
    private List<Ending> readOrdersAsStored() {
        return data.orders().stream().filter(order -> order.repeats() == null).map(order -> new Ending(
                HostileData.Group.UNIQUE, order.shape(), order.storedAs().equals(order.requestedId()),
                "submitted, it became " + order.storedAs())).toList();
    }

    /** Each caller's order succeeded with its own result; the repeat collapsed into the order of the same key. */
    private List<Ending> readOrdersAtTheEnd() {
        List<HostileData.Order> orders = data.orders();
        Map<String, TaskInfo> infos = engine.infos(ChaosTasks.QUEUE, orders.stream().map(HostileData.Order::storedAs)
                .distinct().toList());
        List<Ending> endings = new ArrayList<>();
        for (HostileData.Order order : orders) {
            if (order.repeats() != null) {
                boolean collapsed = order.storedAs().equals(order.repeats());
                endings.add(new Ending(HostileData.Group.UNIQUE, order.shape(), collapsed, collapsed
                        ? "collapsed into " + order.repeats() + ", whose key is the same"
                        : "stored as " + order.storedAs() + ": the uniqueness key did not hold"));
                continue;
            }
            TaskInfo info = infos.get(order.storedAs());
            String result = info == null ? null : String.valueOf(info.resultJson());
            boolean right = info != null && info.state() == TaskState.SUCCESS
                    && result.equals('"' + order.expected() + '"');
            endings.add(new Ending(HostileData.Group.UNIQUE, order.shape(), right, "stored as " + order.storedAs()
                    + ", " + (info == null ? "unreadable" : info.state() + " " + result)));
        }
        return endings;
    }

    /**
     * The rows and notes.
     *
     * @param submitted the task ids of every unit the producer submitted (acknowledged or not)
     * @param problems what kept failing at the end in each live worker that said so
     */
    void report(Findings out, RunAnalysis analysis, Set<String> submitted, Map<String, String> problems) {
        out.note(String.format(Locale.ROOT, "hostile data written at %s: %d malformed entries, a forged record, "
                + "worker info and dead letter, %d orders", analysis.at(data.writtenAt()), data.entries().size(),
                data.orders().size()));
        Map<HostileData.Group, int[]> groups = new EnumMap<>(HostileData.Group.class); // documented, of
        for (Ending ending : endings) {
            int[] counts = groups.computeIfAbsent(ending.group(), g -> new int[2]);
            counts[0] += ending.documented() ? 1 : 0;
            counts[1]++;
            out.note("hostile " + (ending.documented() ? "" : "NOT AS DOCUMENTED ") + ending.shape() + ": "
                    + ending.story());
        }
        groups.forEach((group, counts) -> {
            out.add(Figure.count(group.key, ROW + group.what + ", of " + counts[1], counts[0])
                    .target(Figure.Target.atLeast(counts[1])));
            if (counts[0] < counts[1]) {
                failures.add(String.format(Locale.ROOT, "%s: %d of %d", group.what, counts[0], counts[1]));
            }
        });
        if (lastQuarantined >= 0) {
            out.add(Figure.millis("chaos.hostile.quarantined", ROW + "written -> last one in the dead letters",
                    lastQuarantined));
        }
        ran(out, analysis, submitted);
        harmed(out, "chaos.hostile.dead.own", "dead letters of the run's own tasks", ownLetters.stream()
                .map(l -> l.taskId() + " (" + l.taskName() + "): " + l.reason()).toList());
        harmed(out, "chaos.hostile.problems", "worker loops failing at the end",
                problems.entrySet().stream().map(p -> p.getKey() + ": " + p.getValue()).toList());
        kills(out, analysis);
    }

    /** Runs of what was written (it must never run), and of tasks that nobody submitted. */
    private void ran(Findings out, RunAnalysis analysis, Set<String> submitted) {
        Set<String> orders = data.orders().stream().map(HostileData.Order::storedAs).collect(Collectors.toSet());
        Map<String, Integer> strays = new LinkedHashMap<>();
        analysis.runsPerTask().forEach((id, n) -> {
            if (data.isHostile(id) || !submitted.contains(id) && !orders.contains(id)) {
                strays.put(id, n);
            }
        });
        harmed(out, "chaos.hostile.ran", "injected ran, or tasks never submitted",
                strays.entrySet().stream().map(e -> e.getKey() + " ran " + e.getValue() + " time(s)").toList());
    }

    /** A row of what must not happen: each case a note, any of them a failure. */
    private void harmed(Findings out, String key, String what, List<String> cases) {
        out.add(Figure.count(key, ROW + what, cases.size()).target(Figure.Target.atMost(0)));
        if (!cases.isEmpty()) {
            cases.forEach(c -> out.note("HOSTILE DATA HURT (" + what + "): " + c));
            failures.add(what + ": " + cases.size());
        }
    }

    /** The kills after the hostile data: their tasks all came back, as fast as the kill-9 scenario's target. */
    private void kills(Findings out, RunAnalysis analysis) {
        List<RunAnalysis.KillRecovery> after = analysis.kills().stream()
                .filter(k -> k.killedAt() >= data.writtenAt() && k.lostRuns() > 0).toList();
        long slowest = after.stream().mapToLong(RunAnalysis.KillRecovery::allAgainAfter).max().orElse(-1);
        if (after.stream().anyMatch(k -> k.allAgainAfter() < 0)) {
            out.note("hostile: after the hostile data, a kill's tasks did not all run again (see the faults)");
        }
        else if (slowest >= 0) {
            out.add(Figure.millis("chaos.hostile.kill.recovery", ROW + "after it, kill -> tasks elsewhere, max",
                    slowest).target(Figure.Target.atMost(KILL_RECOVERY_TARGET_MILLIS)));
        }
    }

    /** What the hostile data hurt, or null: a shape not ended as documented, or harm to the fleet. */
    @Nullable String failure() {
        return failures.isEmpty() ? null : "hostile data: " + String.join("; ", failures);
    }

    private static Ending values(String shape, boolean documented, String story) {
        return new Ending(HostileData.Group.VALUES, shape, documented, story);
    }

    private static String cut(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "...";
    }
}
