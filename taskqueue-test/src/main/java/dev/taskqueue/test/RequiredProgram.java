package dev.taskqueue.test;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a real program it needs (a database server, a browser, Python Celery, promtool) is not
 * installed: on a developer's machine it is skipped, with a banner on standard error that no one scrolling past can
 * miss; with {@code CI=true} it fails, so that a build never passes by skipping what it was meant to check.
 *
 * <pre>{@code
 * if (!Files.isExecutable(Path.of("/usr/bin/promtool"))) {
 *     throw RequiredProgram.missing("promtool is not installed, so the alert rules are not checked",
 *             "apt-get install prometheus");
 * }
 * }</pre>
 */
public final class RequiredProgram {

    private RequiredProgram() {
    }

    /**
     * Skips the calling test (or fails it with {@code CI=true}); never returns normally. Throw what it returns, so
     * the compiler knows the code after it does not run.
     *
     * @param what what is missing and what goes unchecked without it
     * @param install how to install it
     */
    public static RuntimeException missing(String what, String install) {
        String message = what + ". Install it with: " + install;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + ". With CI=true a missing program fails the build instead of "
                    + "skipping its tests (.ci/run installs it)");
        }
        String banner = "!".repeat(110);
        System.err.println("\n" + banner + "\n!!! SKIPPED: " + message + "\n" + banner + "\n");
        Assumptions.abort("SKIPPED: " + message);
        throw new AssertionError("unreachable: Assumptions.abort throws");
    }
}
