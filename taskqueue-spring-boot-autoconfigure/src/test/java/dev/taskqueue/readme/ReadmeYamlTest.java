package dev.taskqueue.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskqueue.readme.Readme.Block;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ```yaml} block of README.md is a file of the repository shown whole: its first line is a comment that
 * names the file ({@code # alerting/prometheus/prometheus.yml: what it is}), and the block reads exactly as the
 * file does, so the file's own tests cover what the README shows (the Prometheus configuration: sample-app's
 * {@code AlertingRulesTest} runs {@code promtool check config} on it).
 */
class ReadmeYamlTest {

    private static final Pattern NAMED = Pattern.compile("# ([\\w./-]+\\.ya?ml)\\b.*");

    @Test
    void everyYamlBlockIsARepositoryFileShownWhole() {
        Readme.failIfAny(problems(Readme.blocks()));
        assertThat(Readme.read(Readme.root().resolve("README.md"))).as("the README shows the example Prometheus "
                + "configuration that promtool checks").contains("```yaml\n# alerting/prometheus/prometheus.yml");
    }

    @Test
    void aYamlBlockThatNamesNoFileOrDiffersFromItIsAProblem() {
        String example = Readme.read(Readme.root().resolve("alerting/prometheus/prometheus.yml"));
        String markdown = "```yaml\n" + example + "```\n\n```yaml\nrule_files: []\n```\n\n```yaml\n"
                + example.replace("15s", "1m") + "```\n";

        assertThat(problems(Readme.blocks(markdown))).hasSize(2).satisfiesExactly(
                unnamed -> assertThat(unnamed).contains(": a yaml block whose first line does not name"),
                differs -> assertThat(differs).contains(": the block differs from alerting/prometheus/prometheus.yml"));
    }

    private static List<String> problems(List<Block> blocks) {
        List<String> problems = new ArrayList<>();
        for (Block block : blocks) {
            if (!block.language().equals("yaml") && !block.language().equals("yml")) {
                continue;
            }
            Matcher named = NAMED.matcher(block.text().lines().findFirst().orElse(""));
            if (!named.matches()) {
                problems.add("README.md:" + block.line() + ": a yaml block whose first line does not name the "
                        + "repository file it shows (# path/to/file.yml: what it is); put the YAML in a file that a "
                        + "test checks and show it whole");
                continue;
            }
            Path file = Readme.root().resolve(named.group(1));
            if (!Files.isRegularFile(file)) {
                problems.add("README.md:" + block.line() + ": " + named.group(1) + " is not a file of the repository");
            }
            else if (!block.text().equals(Readme.read(file))) {
                problems.add("README.md:" + block.line() + ": the block differs from " + named.group(1)
                        + "; it must read:\n```yaml\n" + Readme.read(file) + "```");
            }
        }
        return problems;
    }
}
