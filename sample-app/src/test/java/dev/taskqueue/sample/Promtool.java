package dev.taskqueue.sample;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.test.RequiredProgram;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs Prometheus's {@code promtool} (Debian's {@code prometheus} package, which {@code .ci/run} installs), as a
 * process with a bounded wait. Outside CI a machine without it skips the tests that need it, with a loud message;
 * with {@code CI=true} its absence fails them, so CI never passes without having checked the rules.
 */
final class Promtool {

    /** Longer than promtool needs (well under a second for our rules), short enough not to hang a build. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * What promtool said.
     *
     * @param exitCode its exit code
     * @param output what it wrote, out and err together
     */
    record Result(int exitCode, String output) {
    }

    private final Path executable;

    private Promtool(Path executable) {
        this.executable = executable;
    }

    /** Promtool from the {@code PATH}; skips the test (fails it with {@code CI=true}) when there is none. */
    static Promtool require() {
        Path found = onPath();
        if (found != null) {
            return new Promtool(found);
        }
        throw RequiredProgram.missing("promtool is not on the PATH, so the Prometheus alert rules are NOT checked",
                "`apt-get install prometheus` (Debian, Ubuntu; no need to start the service) or from "
                        + "https://prometheus.io/download/");
    }

    private static Path onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs {@code promtool <arguments>} in {@code directory}; fails the test if it runs longer than a minute. */
    Result run(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("promtool", ".out");
        try {
            // To a file, not a pipe: a pipe nobody reads while we wait could fill and block promtool.
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail("%s did not finish within %s; it said: %s", command, TIMEOUT, Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        }
        finally {
            Files.deleteIfExists(output);
        }
    }
}
