package dev.taskqueue.dashboard.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Copies the browser tests' screenshots to {@code docs/dashboard/}, where the README links them, when the build is
 * asked to:
 * {@code ./mvnw -pl taskqueue-dashboard verify -Dtest=DashboardBrowserTest -Dtaskqueue.docs.screenshots=true}.
 * Only on request, so that an ordinary test run never changes tracked files.
 */
final class ReadmeScreenshots {

    /** The system property that asks for the copy. */
    static final String PROPERTY = "taskqueue.docs.screenshots";

    /** The pages the README shows, by screenshot name. */
    static final List<String> PAGES = List.of("overview", "overview-dark", "queues", "queue", "queue-dead", "task",
            "workflow", "workers", "schedules", "catalog", "failures", "audit", "outbox");

    private ReadmeScreenshots() {
    }

    static void copyIfAsked() throws IOException {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        Path docs = repositoryRoot().resolve("docs").resolve("dashboard");
        Files.createDirectories(docs);
        for (String page : PAGES) {
            Path shot = BrowserSession.SCREENSHOTS.resolve(page + ".png");
            if (Files.exists(shot)) {
                Files.copy(shot, docs.resolve(page + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.println("Copied the dashboard screenshots to " + docs.toAbsolutePath());
    }

    /** The folder with {@code mvnw}: the tests run in the module's folder, one below it. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No mvnw above " + Path.of("").toAbsolutePath() + ": run the tests from the "
                + "repository");
    }
}
