package dev.taskqueue.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;

/** Where the figures were measured: machine, JVM (with its GC and heap settings), Redis. */
final class Environment {

    /** The JVM settings the README's command uses: the throughput collector and a fixed 1 GB heap. */
    static final List<String> DOCUMENTED_JVM_OPTIONS = List.of("-XX:+UseParallelGC", "-Xms1g", "-Xmx1g");

    private Environment() {
    }

    /** @param redis the Redis's version, binary or address, and persistence settings */
    static Map<String, Object> describe(String redis) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("cpuModel", cpuModel());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        env.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        env.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
        env.put("maxHeapMegabytes", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        env.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("workerJvmArguments", ChildWorker.JVM_OPTIONS);
        env.put("redis", redis);
        env.put("lettuceTransport", lettuceTransport());
        return env;
    }

    /** A few lines for the table's header. */
    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> env) {
        List<String> arguments = (List<String>) env.get("jvmArguments");
        return env.get("cpus") + " cpus (" + env.get("cpuModel") + "), " + env.get("java") + "\n"
                + "JVM: GC " + String.join(" + ", (List<String>) env.get("gc")) + ", max heap "
                + env.get("maxHeapMegabytes") + " MB, arguments " + arguments
                + (arguments.containsAll(DOCUMENTED_JVM_OPTIONS) ? "" : " (NOT the documented "
                        + String.join(" ", DOCUMENTED_JVM_OPTIONS) + ": figures may differ)") + "\n"
                + "worker JVMs: " + String.join(" ", ChildWorker.JVM_OPTIONS) + "\n"
                + "Redis " + env.get("redis") + "; Lettuce over " + env.get("lettuceTransport");
    }

    /**
     * The network transport Lettuce uses: Netty's native io_uring or epoll when its library is on the class path
     * (an application adds it; see the README's performance section), else Java's NIO.
     */
    static String lettuceTransport() {
        return IOUringProvider.isAvailable() ? "io_uring" : EpollProvider.isAvailable() ? "epoll" : "NIO";
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        }
        catch (Exception ex) {
            return System.getProperty("os.arch");
        }
    }
}
