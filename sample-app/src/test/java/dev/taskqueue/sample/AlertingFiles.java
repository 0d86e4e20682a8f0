package dev.taskqueue.sample;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * The alerting files shipped under {@code alerting/} (the Prometheus rules and the Grafana dashboard), read as
 * Prometheus and Grafana read them, and the metric names their PromQL uses.
 */
final class AlertingFiles {

    /** The repository's {@code alerting} folder, from the sample's module folder, where Maven runs its tests. */
    static final Path ROOT = Path.of("..", "alerting").toAbsolutePath().normalize();

    static final Path PROMETHEUS = ROOT.resolve("prometheus");

    static final Path RULES = PROMETHEUS.resolve("taskqueue-rules.yml");

    static final Path RULES_TESTS = PROMETHEUS.resolve("taskqueue-rules.test.yml");

    /** A Prometheus configuration that scrapes the sample and loads the rules, as the README shows it. */
    static final Path EXAMPLE_CONFIG = PROMETHEUS.resolve("prometheus.yml");

    static final Path DASHBOARD = ROOT.resolve("grafana").resolve("taskqueue-dashboard.json");

    /** Label matchers and strings, whose label names and values are not metric names. */
    private static final Pattern MATCHERS_AND_STRINGS = Pattern.compile("\\{[^}]*}|\"(?:[^\"\\\\]|\\\\.)*\"");

    /** Clauses that list label names: {@code by (queue)}, {@code on (job, queue)}, {@code group_left (task)}. */
    private static final Pattern LABEL_LISTS = Pattern
            .compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

    /** A whole identifier: a metric, a recording rule (with colons), a function or a keyword. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:$])[a-zA-Z_:][\\w:]*");

    private AlertingFiles() {
    }

    /** Every rule of the rules file: each a map with {@code record} or {@code alert}, {@code expr}, and so on. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules() throws IOException {
        try (Reader reader = Files.newBufferedReader(RULES)) {
            Map<String, Object> file = new Yaml().load(reader);
            List<Map<String, Object>> rules = new ArrayList<>();
            for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
                rules.addAll((List<Map<String, Object>>) group.get("rules"));
            }
            return rules;
        }
    }

    /** The names the rules file records. */
    static Set<String> recordedNames() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        rules().stream().filter(rule -> rule.containsKey("record")).forEach(rule -> names.add((String) rule.get("record")));
        return names;
    }

    /** The PromQL of every rule. */
    static List<String> ruleExpressions() throws IOException {
        return rules().stream().map(rule -> (String) rule.get("expr")).toList();
    }

    /** The dashboard, as a tree of maps and lists. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> dashboard() throws IOException {
        return JsonMapper.builder().build().readValue(DASHBOARD.toFile(), Map.class);
    }

    /** The panels of the dashboard, rows left out. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> panels() throws IOException {
        return ((List<Map<String, Object>>) dashboard().get("panels")).stream()
                .filter(panel -> !"row".equals(panel.get("type"))).toList();
    }

    /** The PromQL of every panel target and of every query variable of the dashboard. */
    @SuppressWarnings("unchecked")
    static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> panel : panels()) {
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                expressions.add((String) target.get("expr"));
            }
        }
        Map<String, Object> templating = (Map<String, Object>) dashboard().get("templating");
        for (Map<String, Object> variable : (List<Map<String, Object>>) templating.get("list")) {
            if ("query".equals(variable.get("type"))) {
                expressions.add((String) variable.get("definition"));
            }
        }
        return expressions;
    }

    /**
     * The metric and recording-rule names a PromQL expression reads: what is left of its identifiers once label
     * matchers, strings and label lists are taken out, and that is taskqueue's ({@code taskqueue_*}) or recorded
     * (with a colon). Functions, keywords and Grafana's {@code $__rate_interval} are neither.
     */
    static Set<String> namesIn(String promql) {
        String withoutLabels = LABEL_LISTS.matcher(MATCHERS_AND_STRINGS.matcher(promql).replaceAll(" "))
                .replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = IDENTIFIER.matcher(withoutLabels);
        while (matcher.find()) {
            String name = matcher.group();
            if (name.startsWith("taskqueue_") || name.contains(":")) {
                names.add(name);
            }
        }
        return names;
    }
}
