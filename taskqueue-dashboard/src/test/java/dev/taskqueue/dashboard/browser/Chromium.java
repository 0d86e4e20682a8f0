package dev.taskqueue.dashboard.browser;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.taskqueue.test.RequiredProgram;
import org.jspecify.annotations.Nullable;

/**
 * Finds the browser the tests drive: Debian's {@code chromium} and {@code chromium-driver} packages (or the paths in
 * {@code CHROMIUM_BIN} / {@code CHROMEDRIVER_BIN}). When they are missing the tests are skipped with a loud message,
 * except with {@code CI=true}, where a missing browser fails the build: CI installs them ({@code .ci/run}), so their
 * absence there is a broken setup, not a reason to pass silently.
 */
record Chromium(Path browser, Path driver) {

    private static final String INSTALL = "apt-get install chromium chromium-driver";

    /** The binaries, or a skipped (outside CI) / failed (in CI) test. */
    static Chromium locate() {
        Path browser = find(System.getenv("CHROMIUM_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser");
        Path driver = find(System.getenv("CHROMEDRIVER_BIN"), "/usr/bin/chromedriver");
        if (browser != null && driver != null) {
            return new Chromium(browser, driver);
        }
        String missing = (browser == null ? "chromium" : "") + (browser == null && driver == null ? " and " : "")
                + (driver == null ? "chromedriver" : "");
        throw RequiredProgram.missing("The dashboard's browser tests need " + missing + " (or set CHROMIUM_BIN and "
                + "CHROMEDRIVER_BIN)", "`" + INSTALL + "`");
    }

    private static @Nullable Path find(@Nullable String configured, String... candidates) {
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.strip());
            return Files.isExecutable(path) ? path : null;
        }
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
            // where .ci/run looks (command -v): anywhere on the PATH
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path onPath = dir.isEmpty() ? null : Path.of(dir, path.getFileName().toString());
                if (onPath != null && Files.isExecutable(onPath)) {
                    return onPath;
                }
            }
        }
        return null;
    }
}
