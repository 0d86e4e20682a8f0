package dev.taskqueue.celery.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The files of this JVM's Python processes, under one temp directory deleted when the JVM exits:
 * <ol>
 * <li>{@code app/}: the test app {@code proj}, copied once out of the classpath resources {@code celery/**}. A copy,
 * so that it works when the tests run from a jar, and so that Python's files never land in the source tree;</li>
 * <li>a new directory per worker (its log) and per script.</li>
 * </ol>
 */
final class ScratchFiles {

    private static final String RESOURCES = "celery/";

    private static @Nullable Path root;

    private static @Nullable Path app;

    private ScratchFiles() {
    }

    /** The copied app: the working directory of workers and scripts, where {@code import proj} works. */
    static synchronized Path app() {
        if (app == null) {
            Path copy = root().resolve("app");
            try {
                Resource[] files = new PathMatchingResourcePatternResolver()
                        .getResources("classpath*:" + RESOURCES + "**/*.py");
                if (files.length == 0) {
                    throw new IllegalStateException("No Python files under " + RESOURCES
                            + " on the classpath: the test resources of taskqueue-celery were not built");
                }
                for (Resource file : files) {
                    String url = file.getURL().toString();
                    Path target = copy.resolve(url.substring(url.lastIndexOf("/" + RESOURCES) + RESOURCES.length() + 1));
                    Files.createDirectories(target.getParent());
                    try (InputStream in = file.getInputStream()) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            catch (IOException ex) {
                throw new UncheckedIOException("Could not copy the Python test app to " + copy, ex);
            }
            app = copy;
        }
        return app;
    }

    /** A new, empty directory: {@code <root>/<prefix><n>}. */
    static Path newDirectory(String prefix) {
        try {
            return Files.createTempDirectory(root(), prefix);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not create a directory in " + root(), ex);
        }
    }

    private static synchronized Path root() {
        if (root == null) {
            try {
                Path created = Files.createTempDirectory("taskqueue-celery-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(created), "taskqueue-celery-cleanup"));
                root = created;
            }
            catch (IOException ex) {
                throw new UncheckedIOException("Could not create a temp directory for the Python processes", ex);
            }
        }
        return root;
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException | UncheckedIOException ex) {
            // a leftover in the temp directory is no reason to fail the JVM's exit
        }
    }
}
