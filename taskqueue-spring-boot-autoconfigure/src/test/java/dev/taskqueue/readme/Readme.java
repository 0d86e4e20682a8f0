package dev.taskqueue.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.fail;

/**
 * The project's {@code README.md} read as its fenced code blocks, each with its language, its line and the snippet
 * marker ({@code <!-- snippet: shop/Thumbnails.java#thumbnails -->}) on the line before it, if any.
 */
final class Readme {

    /** Where the README's code lives, relative to the project root; markers name files relative to it. */
    static final String SNIPPETS = "taskqueue-spring-boot-autoconfigure/src/test/java/dev/taskqueue/readme";

    /**
     * Every folder of the README's code: {@link #SNIPPETS}, and the tests of modules this one cannot depend on: the
     * sample application's, which show how to test an application with the test kit, the dashboard's, and the Celery
     * module's. Markers name files relative to one of them ({@code shop/Thumbnails.java},
     * {@code sample/OrderTasksTests.java}, {@code celery/readme/CeleryReadmeSnippets.java}); no file is in two.
     */
    static final List<String> SNIPPET_FOLDERS = List.of(SNIPPETS, "sample-app/src/test/java/dev/taskqueue",
            "sample-app/src/main/java/dev/taskqueue",
            "taskqueue-dashboard/src/test/java/dev/taskqueue", "taskqueue-celery/src/test/java/dev/taskqueue");

    private static final Pattern MARKER = Pattern.compile("<!--\\s*snippet:\\s*(\\S+?)#(\\S+?)\\s*-->");

    private static final String FENCE = "```";

    private Readme() {
    }

    /** The project's root folder: the test runs in its module's folder, an IDE may run it in the root. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve(SNIPPETS))) {
                return dir;
            }
        }
        throw new IllegalStateException("No README.md with " + SNIPPETS + " next to it in "
                + Path.of("").toAbsolutePath() + " or a folder above");
    }

    /** Every fenced code block of the README, in order. */
    static List<Block> blocks() {
        return blocks(read(root().resolve("README.md")));
    }

    static List<Block> blocks(String markdown) {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = markdown.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith(FENCE)) {
                continue;
            }
            int opening = i;
            String language = lines.get(i).substring(FENCE.length()).trim();
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith(FENCE); i++) {
                text.append(lines.get(i)).append('\n');
            }
            blocks.add(new Block(opening + 1, language, markerAbove(lines, opening), text.toString()));
        }
        return blocks;
    }

    private static @Nullable Marker markerAbove(List<String> lines, int fence) {
        for (int i = fence - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                Matcher marker = MARKER.matcher(lines.get(i).trim());
                return marker.matches() ? new Marker(marker.group(1), marker.group(2)) : null;
            }
        }
        return null;
    }

    /** Fails with every problem found, so that one run shows all there is to fix. */
    static void failIfAny(List<String> problems) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s):\n\n" + String.join("\n\n", problems));
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A fenced code block.
     *
     * @param line the line of its opening fence (1 is the first)
     * @param language what follows the opening fence ({@code java}, {@code properties}), or empty
     * @param marker the snippet marker on the line before it, or null
     * @param text its lines, each ending with a line feed
     */
    record Block(int line, String language, @Nullable Marker marker, String text) {
    }

    /**
     * Where a block's code lives: {@code <!-- snippet: file#tag -->}.
     *
     * @param file a source file, relative to one of {@link #SNIPPET_FOLDERS}
     * @param tag the name of its region, between {@code // tag::name[]} and {@code // end::name[]}
     */
    record Marker(String file, String tag) {

        @Override
        public String toString() {
            return file + "#" + tag;
        }
    }
}
