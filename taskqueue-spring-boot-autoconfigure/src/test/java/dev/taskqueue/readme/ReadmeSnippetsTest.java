package dev.taskqueue.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.taskqueue.readme.Readme.Block;
import dev.taskqueue.readme.Readme.Marker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ```java} block of README.md is code that compiles: a region of a source file in this folder (or, for
 * the examples of testing an application, in the sample application's tests), which the build compiles (and, for the
 * test classes the README shows, runs), so an example cannot break silently.
 *
 * <p>To add an example to the README:
 * <ol>
 * <li>Write it where it compiles the way a user would write it, in a file under {@code dev/taskqueue/readme/}
 * (a package per README topic; {@code shop} is the application the tour's examples share), between
 * {@code // tag::name[]} and {@code // end::name[]} lines. Tag lines never show in the README, so regions may
 * nest.</li>
 * <li>In README.md, put {@code <!-- snippet: shop/File.java#name -->} on the line before the block (the path is
 * relative to this folder, or to {@code sample-app/src/test/java/dev/taskqueue}: {@code sample/File.java}; the marker
 * does not render).</li>
 * <li>Run this test: it fails, printing the region as the block must read (its common indentation removed).
 * Paste that into the block.</li>
 * </ol>
 * A java block without a marker fails, and so does a region no block shows. {@code ReadmePropertiesTest} checks the
 * README's {@code ```properties} blocks.
 */
class ReadmeSnippetsTest {

    private static final Pattern TAG = Pattern.compile("^\\s*// (tag|end)::([\\w.-]+)\\[\\]\\s*$");

    @Test
    void everyJavaBlockIsARegionOfCompiledCode() {
        List<String> problems = new ArrayList<>();
        for (Block block : javaBlocks()) {
            Marker marker = block.marker();
            if (marker == null) {
                problems.add("README.md:" + block.line() + ": a java block without <!-- snippet: path/File.java#name --> "
                        + "on the line before it (how to add one: ReadmeSnippetsTest's Javadoc)");
                continue;
            }
            String region;
            try {
                region = region(marker);
            }
            catch (IllegalArgumentException ex) {
                problems.add("README.md:" + block.line() + ": " + ex.getMessage());
                continue;
            }
            String shown = withoutTrailingSpaces(block.text());
            if (!shown.equals(region)) {
                problems.add("README.md:" + block.line() + ": the block differs from " + marker + ", "
                        + firstDifference(shown, region, block.line()) + "\nThe block must read:\n```java\n" + region
                        + "```");
            }
        }
        Readme.failIfAny(problems);
    }

    @Test
    void everyRegionIsShownInTheReadme() {
        Set<String> shown = new HashSet<>();
        javaBlocks().stream().map(Block::marker).filter(marker -> marker != null)
                .forEach(marker -> shown.add(marker.toString()));
        Set<String> unshown = new TreeSet<>();
        for (String folder : Readme.SNIPPET_FOLDERS) {
            Path snippets = Readme.root().resolve(folder);
            for (Path file : javaFiles(snippets)) {
                String name = snippets.relativize(file).toString().replace('\\', '/');
                for (String line : Readme.read(file).lines().toList()) {
                    Matcher tag = TAG.matcher(line);
                    if (tag.matches() && tag.group(1).equals("tag") && !shown.contains(name + "#" + tag.group(2))) {
                        unshown.add(name + "#" + tag.group(2));
                    }
                }
            }
        }
        Readme.failIfAny(unshown.stream().map(region -> "Region " + region + " is not shown in README.md: show it (a "
                + "java block after <!-- snippet: " + region + " -->) or remove its tag lines").toList());
    }

    @Test
    void blocksAreReadWithTheMarkerAboveThem() {
        List<Block> blocks = Readme.blocks("""
                <!-- snippet: shop/Tour.java#submit -->
                ```java
                  taskClient.submit(Thumbnails::make, "img-42", 200);
                ```

                Text.
                ```java
                h.state();
                ```
                """);

        assertThat(blocks).containsExactly(
                new Block(2, "java", new Marker("shop/Tour.java", "submit"),
                        "  taskClient.submit(Thumbnails::make, \"img-42\", 200);\n"),
                new Block(7, "java", null, "h.state();\n"));
    }

    @Test
    void aRegionLosesItsTagLinesAndCommonIndentation() {
        assertThat(region(new Marker("shop/Thumbnails.java", "thumbnails"))).startsWith("""
                @Component
                class Thumbnails {
                    @Task(""").doesNotContain("tag::", "end::");
    }

    /** The lines between {@code // tag::name[]} and {@code // end::name[]}, without tag lines and common indentation. */
    static String region(Marker marker) {
        List<Path> found = Readme.SNIPPET_FOLDERS.stream().map(folder -> Readme.root().resolve(folder)
                .resolve(marker.file())).filter(Files::isRegularFile).toList();
        if (found.size() != 1) {
            throw new IllegalArgumentException((found.isEmpty() ? "no file " : "two files ") + marker.file() + " in "
                    + Readme.SNIPPET_FOLDERS);
        }
        Path file = found.get(0);
        List<String> lines = Readme.read(file).lines().toList();
        int start = indexOf(lines, "tag", marker);
        int end = indexOf(lines, "end", marker);
        if (end < start) {
            throw new IllegalArgumentException(marker + " ends before it starts");
        }
        List<String> region = lines.subList(start + 1, end).stream().filter(line -> !TAG.matcher(line).matches())
                .toList();
        int indent = region.stream().filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String line : region) {
            text.append(line.isBlank() ? "" : line.substring(indent).stripTrailing()).append('\n');
        }
        return text.toString();
    }

    private static int indexOf(List<String> lines, String kind, Marker marker) {
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher tag = TAG.matcher(lines.get(i));
            if (tag.matches() && tag.group(1).equals(kind) && tag.group(2).equals(marker.tag())) {
                if (found >= 0) {
                    throw new IllegalArgumentException(marker + " has two // " + kind + "::" + marker.tag() + "[] lines");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException(marker.file() + " has no line // " + kind + "::" + marker.tag() + "[]");
        }
        return found;
    }

    private static String firstDifference(String shown, String region, int fenceLine) {
        List<String> shownLines = shown.lines().toList();
        List<String> regionLines = region.lines().toList();
        for (int i = 0; i < Math.max(shownLines.size(), regionLines.size()); i++) {
            String a = i < shownLines.size() ? shownLines.get(i) : "(nothing)";
            String b = i < regionLines.size() ? regionLines.get(i) : "(nothing)";
            if (!a.equals(b)) {
                return "from README.md:" + (fenceLine + 1 + i) + " on:\n  README: " + a + "\n  code:   " + b;
            }
        }
        return "";
    }

    private static String withoutTrailingSpaces(String text) {
        StringBuilder result = new StringBuilder();
        text.lines().forEach(line -> result.append(line.stripTrailing()).append('\n'));
        return result.toString();
    }

    private static List<Block> javaBlocks() {
        return Readme.blocks().stream().filter(block -> block.language().equals("java")).toList();
    }

    private static List<Path> javaFiles(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
