package dev.taskqueue.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.taskqueue.TaskInfo;
import org.jspecify.annotations.Nullable;

/**
 * Faults while tasks flow, and what survives them:
 * <ol>
 * <li>starts worker JVMs ({@link ChaosFleet}: the engine's default settings, each journaling its runs) and a
 * producer that submits a mix of plain tasks, retried tasks, chains and chords at a steady rate
 * ({@link ChaosProducer});</li>
 * <li>every kill interval, sends SIGKILL to a random worker JVM, which is replaced; once, in the middle, restarts
 * Redis instead: SIGTERM, on a server that keeps an append-only file synced every second, so that a clean restart
 * loses nothing it acknowledged (the user's Redis is never restarted: a kill takes that turn);</li>
 * <li>once, after the first fault, writes malformed data straight into the queue ({@link HostileData}: entries
 * with bad fields, bad delayed entries, an entry held by a dead worker whose info is garbage, a forged record and
 * dead letter, two callers' orders whose uniqueness keys used to collide), unless {@code --no-hostile};</li>
 * <li>once the producer stopped, waits for every acknowledged unit to finish, up to the settle time, and for the
 * hostile data to end where the README says it does ({@link HostileVerdict}); asks the live workers what keeps
 * failing;</li>
 * <li>reports what was lost or failed, every task that ran more than once with its cause ({@link RunAnalysis}),
 * how long the kills and the restart took to recover from, whether each chord's callback ran exactly once, and
 * where each hostile shape ended; then deletes the hostile data.</li>
 * </ol>
 * A unit lost or failed, a wrong result, or hostile data that did not end as documented or hurt the fleet fails the
 * run; extra runs while the worker lived are flagged. Times are recorded, never judged. The journals and worker
 * logs are kept when something went wrong.
 */
final class ChaosScenario extends Scenario {

    /** Room after the settle time for closing the worker JVMs and reading the journals. */
    private static final Duration WRAP_UP = Duration.ofSeconds(45);

    /** How long a live worker has to say what keeps failing in it. */
    private static final Duration PROBLEMS_ANSWER = Duration.ofSeconds(10);

    ChaosScenario() {
        super("chaos", "worker JVMs killed (SIGKILL) and Redis restarted while tasks, retries, chains and chords flow, "
                + "malformed data written into the queue: lost, run twice and why, time to recover, bad data kept "
                + "apart");
    }

    @Override
    boolean injectsFaults() {
        return true;
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        Duration hostile = sizes.chaos().hostile() ? HostileVerdict.LIMIT.plus(PROBLEMS_ANSWER) : Duration.ZERO;
        return sizes.chaos().duration().plus(sizes.chaos().settle()).plus(hostile).plus(WRAP_UP).plusSeconds(60);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        ChaosPlan plan = bench.sizes.chaos();
        String tag = Long.toString(System.currentTimeMillis() % 1_679_616, 36); // 4 characters
        Path dir = Files.createTempDirectory("taskqueue-chaos-");
        boolean keep = true;
        try (Engine engine = bench.chaosEngine(); ChaosFleet fleet = new ChaosFleet(bench, dir, tag, deadline);
                HostileData hostile = plan.hostile() ? new HostileData(bench.admin, engine, tag) : null) {
            HostileVerdict hostileVerdict = hostile == null ? null : new HostileVerdict(hostile, engine);
            bench.log.printf("chaos: %d worker JVMs, %d units/s for %d s, a fault every %.1f s (the %s one restarts "
                    + "Redis), then up to %d s to finish; journals in %s%n", plan.workers(), plan.rate(),
                    plan.duration().toSeconds(), plan.killInterval().toMillis() / 1e3, ordinal(plan.restartAt()),
                    plan.settle().toSeconds(), dir);
            fleet.start(plan.workers());
            ChaosProducer producer = new ChaosProducer(engine.client, tag, plan.rate(), plan.duration());
            long origin = System.currentTimeMillis();
            Runnable injectHostile = hostile == null ? null : () -> {
                hostile.inject();
                hostileVerdict.readBack();
                bench.log.printf("chaos: t+%.1fs hostile data written into queue '%s'%n",
                        (hostile.writtenAt() - origin) / 1e3, ChaosTasks.QUEUE);
            };
            BenchRedis.Restart restart;
            Map<String, TaskInfo> finals;
            List<FleetWatch.Drop> drops;
            Map<String, Long> silences;
            Map<String, String> problems = Map.of();
            try (FleetWatch watch = new FleetWatch(engine.admin, fleet::isRunning)) {
                Thread producing = new Thread(producer, "chaos-producer");
                producing.setDaemon(true);
                producing.start();
                restart = faults(bench, plan, fleet, watch, origin, deadline, out, injectHostile);
                producing.join(Math.max(1, deadline.remainingMillis()));
                producer.stop();
                fleet.awaitReplacements();
                bench.log.printf("chaos: %d units submitted; waiting for them to finish%n", producer.accepted().size());
                finals = settle(engine, producer.accepted(), plan.settle(), deadline);
                if (hostile != null && hostile.written()) {
                    hostileVerdict.await(Duration.ofMillis(Math.max(0, deadline.remainingMillis()
                            - WRAP_UP.toMillis())));
                    problems = fleet.problems(PROBLEMS_ANSWER);
                }
                drops = watch.drops();
                silences = watch.longestSilence();
            }
            finally {
                producer.stop();
            }
            fleet.close();
            List<RunJournal.Run> runs = new ArrayList<>();
            List<RunAnalysis.Worker> workers = new ArrayList<>();
            for (ChaosFleet.Member member : fleet.members()) {
                runs.addAll(RunJournal.read(member.journal, member.workerId));
                workers.add(new RunAnalysis.Worker(member.workerId, member.killedAt));
            }
            fleet.troubles().forEach(out::note);
            RunAnalysis analysis = new RunAnalysis(runs, workers, drops, restart, fleet.logMentions(), origin);
            if (!bench.redis.isOwn()) {
                out.note("Redis was not restarted: it is yours (--redis-uri); a kill took the restart's turn");
            }
            ChaosVerdict verdict = new ChaosVerdict(plan, producer, finals, analysis, engine, silences);
            verdict.report(out);
            String hostileFailure = null;
            if (hostile != null && hostile.written()) {
                hostileVerdict.report(out, analysis, producer.submittedTaskIds(), problems);
                hostileFailure = hostileVerdict.failure();
            }
            else if (hostile == null) {
                out.note("hostile data: left out (--no-hostile)");
            }
            keep = verdict.failed() || verdict.bugs() > 0 || hostileFailure != null;
            if (keep) {
                out.note("journals and worker logs kept in " + dir);
            }
            if (verdict.failed() || hostileFailure != null) {
                throw new Scenario.Failed(verdict.failed() && hostileFailure != null ? verdict.failure() + "; "
                        + hostileFailure : verdict.failed() ? verdict.failure() : hostileFailure);
            }
        }
        finally {
            if (!keep) {
                delete(dir);
            }
        }
    }

    /**
     * The faults, one per kill interval while the producer runs, and the hostile data at its time (null: none);
     * returns the Redis restart, if there was one.
     */
    private static BenchRedis.@Nullable Restart faults(Bench bench, ChaosPlan plan, ChaosFleet fleet,
            FleetWatch watch, long origin, Deadline deadline, Findings out, @Nullable Runnable hostile) {
        Random random = new Random(origin);
        BenchRedis.Restart restart = null;
        long hostileDue = origin + plan.hostileAt().toMillis();
        for (int fault = 1; fault <= plan.faults() + 1; fault++) {
            long due = origin + fault * plan.killInterval().toMillis();
            if (hostile != null && hostileDue <= due) {
                sleepUntil(hostileDue, deadline, "writing the hostile data");
                hostile.run();
                hostile = null;
            }
            if (fault > plan.faults()) {
                break; // only the hostile data could still be due
            }
            sleepUntil(due, deadline, "injecting fault " + fault);
            if (fault == plan.restartAt() && bench.redis.isOwn()) {
                restart = bench.redis.restart();
                watch.countSilenceFrom(restart.upAt());
                bench.log.printf("chaos: t+%.1fs Redis restarted (SIGTERM%s), answering again %d ms later%n",
                        (restart.sigtermAt() - origin) / 1e3, restart.clean() ? "" : ", then SIGKILL",
                        restart.upAt() - restart.sigtermAt());
            }
            else {
                ChaosFleet.Member victim = fleet.killOne(random);
                if (victim == null) {
                    out.note(String.format("t+%.1fs: no worker JVM running to kill", (due - origin) / 1e3));
                }
                else {
                    bench.log.printf("chaos: t+%.1fs SIGKILL %s (pid %d)%n", (victim.killedAt - origin) / 1e3,
                            victim.workerId, victim.child.pid());
                }
            }
        }
        return restart;
    }

    private static void sleepUntil(long epochMillis, Deadline deadline, String doing) {
        deadline.sleepAtMost(Duration.ofMillis(Math.max(0, epochMillis - System.currentTimeMillis())));
        deadline.check(doing);
    }

    /**
     * Reads the final task of every unit until all have finished or the settle time is over; returns the last
     * record read of each (absent: never read).
     */
    private static Map<String, TaskInfo> settle(Engine engine, List<ChaosProducer.Unit> units, Duration settle,
            Deadline deadline) {
        long room = Math.min(settle.toMillis(), deadline.remainingMillis() - WRAP_UP.toMillis());
        Deadline until = Deadline.in(Duration.ofMillis(Math.max(0, room)));
        List<String> waiting = new ArrayList<>(units.stream().map(ChaosProducer.Unit::finalTaskId).toList());
        Map<String, TaskInfo> last = new HashMap<>();
        while (true) {
            Map<String, TaskInfo> read = engine.infos(ChaosTasks.QUEUE, waiting);
            last.putAll(read);
            waiting.removeIf(id -> read.containsKey(id) && read.get(id).state().isFinished());
            if (waiting.isEmpty() || until.passed()) {
                return last;
            }
            Deadline.sleep(500);
        }
    }

    private static String ordinal(int n) {
        return n + (n % 100 / 10 == 1 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (IOException ex) {
            // a temporary directory
        }
    }
}
