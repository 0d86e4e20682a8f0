package dev.taskqueue.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The promises the UI's files make, checked without a browser: small (well under Sidekiq's ~350 KB), nothing
 * fetched from elsewhere (works offline), nothing the strict Content Security Policy would block or that could
 * turn a task's arguments into markup, and every ES module import resolving to a file.
 */
class StaticAssetsTest {

    private static final Path STATIC = Path.of("src", "main", "resources", "dev", "taskqueue", "dashboard", "static");

    /** The budget for every asset together, in bytes. */
    private static final long BUDGET = 150 * 1024;

    private static final Pattern IMPORT = Pattern.compile("(?m)^import .* from '([^']+)';$");

    @Test
    void theAssetsStayWithinTheirBudget() throws IOException {
        long total = 0;
        for (Path file : assets()) {
            total += Files.size(file);
        }
        assertThat(total).as("bytes of every asset").isLessThan(BUDGET);
    }

    @Test
    void nothingComesFromAnotherOriginOrDefeatsTheContentSecurityPolicy() throws IOException {
        for (Path file : assets()) {
            String text = Files.readString(file);
            assertThat(text).as(file + " must not load from another origin").doesNotContainPattern(
                    "(?i)(src|href|url)\\s*[=(:]\\s*['\"]?https?://");
            assertThat(text).as(file + " must not import fonts or remote styles")
                    .doesNotContain("@import", "@font-face");
            if (file.toString().endsWith(".js")) {
                assertThat(text).as(file + ": build elements with dom.js, so values stay text")
                        .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write");
                assertThat(text).as(file + ": the CSP forbids evaluating strings")
                        .doesNotContain("eval(", "new Function(");
                assertThat(text).as(file + ": inline styles are blocked by the CSP; use classes")
                        .doesNotContain("setAttribute('style'", "'style':", ".cssText");
            }
        }
    }

    @Test
    void everyModuleImportResolvesToAFile() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path file : assets()) {
            if (!file.toString().endsWith(".js")) {
                continue;
            }
            Matcher imports = IMPORT.matcher(Files.readString(file));
            while (imports.find()) {
                Path target = file.getParent().resolve(imports.group(1)).normalize();
                if (!Files.isRegularFile(target)) {
                    missing.add(file + " imports " + imports.group(1));
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    private static List<Path> assets() throws IOException {
        assertThat(STATIC).as("the UI's folder (tests run in the module's folder)").isDirectory();
        try (Stream<Path> files = Files.walk(STATIC)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
