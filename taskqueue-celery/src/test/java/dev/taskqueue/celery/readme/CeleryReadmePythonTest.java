package dev.taskqueue.celery.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ```python} block of README.md is code a test runs: it appears, as it reads, in a Python script of this
 * module's tests (a Java text block, or a file of the test app {@code proj}) or in the sample's Python app
 * ({@code sample-app/python}). To show other Python code, add it to a test (such as {@link CeleryReadmeTest}) first.
 */
class CeleryReadmePythonTest {

    /** The project root, from this module's folder, where Maven runs its tests. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Pattern TEXT_BLOCK = Pattern.compile("\"\"\"\\n(.*?)\"\"\"", Pattern.DOTALL);

    @Test
    void everyPythonBlockOfTheReadmeIsCodeATestRuns() {
        List<String> blocks = blocks(read(ROOT.resolve("README.md")), "python");
        List<String> scripts = scripts();
        assertThat(blocks).as("the README's python blocks").hasSizeGreaterThanOrEqualTo(5);
        assertThat(scripts).as("the scripts the tests run").hasSizeGreaterThan(20);
        List<String> untested = blocks.stream().filter(block -> scripts.stream().noneMatch(s -> s.contains(block)))
                .toList();
        assertThat(untested).as("python blocks of the README in no script a test runs: copy each from one, or add it "
                + "to a test (CeleryReadmeTest)").isEmpty();
    }

    @Test
    void textBlocksReadAsTheCompilerReadsThem() {
        String java = "x = py(\"\"\"\n        from proj.celery import app\n        if app:\n"
                + "            print('\\\\n')\n        \"\"\");\n";

        assertThat(textBlocks(java)).containsExactly("from proj.celery import app\nif app:\n    print('\\n')\n");
    }

    /** The lines of each fenced block of {@code language}, each line ending with a line feed. */
    static List<String> blocks(String markdown, String language) {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : markdown.lines().toList()) {
            if (line.startsWith("```")) {
                if (block != null) {
                    blocks.add(block.toString());
                    block = null;
                }
                else if (line.substring(3).strip().equals(language)) {
                    block = new StringBuilder();
                }
            }
            else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    private static List<String> scripts() {
        List<String> scripts = new ArrayList<>();
        for (Path file : files(Path.of("src/test"))) {
            String text = read(file);
            if (file.toString().endsWith(".java")) {
                scripts.addAll(textBlocks(text));
            }
            else if (file.toString().endsWith(".py")) {
                scripts.add(text);
            }
        }
        files(ROOT.resolve("sample-app/python")).stream().filter(file -> file.toString().endsWith(".py"))
                .forEach(file -> scripts.add(read(file)));
        return scripts;
    }

    /** The text blocks of Java source, as the compiler reads them: indentation stripped, escapes translated. */
    static List<String> textBlocks(String java) {
        List<String> blocks = new ArrayList<>();
        Matcher block = TEXT_BLOCK.matcher(java);
        while (block.find()) {
            blocks.add(block.group(1).stripIndent().translateEscapes());
        }
        return blocks;
    }

    private static List<Path> files(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
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
}
