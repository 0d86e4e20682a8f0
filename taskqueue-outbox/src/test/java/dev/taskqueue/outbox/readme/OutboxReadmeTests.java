package dev.taskqueue.outbox.readme;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskqueue.outbox.autoconfigure.TaskQueueOutboxProperties;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The README's outbox parts are true: every {@code taskqueue.outbox.*} line of its {@code ```properties} blocks binds
 * to {@link TaskQueueOutboxProperties} (a typo fails; autoconfigure's README test binds the other keys and leaves
 * these here), with the defaults it claims; and its {@code ```sql} block is the PostgreSQL script the outbox runs.
 */
class OutboxReadmeTests {

    private static final ConfigurationPropertyName OUTBOX = ConfigurationPropertyName.of("taskqueue.outbox");

    private static final Pattern BLOCK = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```");

    @Test
    void theReadmesOutboxPropertiesBindToTheirDefaults() {
        StringBuilder lines = new StringBuilder();
        blocks("properties").forEach(lines::append);
        assertThat(lines).contains("taskqueue.outbox.");

        TaskQueueOutboxProperties bound = bind(lines.toString());

        TaskQueueOutboxProperties defaults = new TaskQueueOutboxProperties();
        assertThat(bound).usingRecursiveComparison().isEqualTo(defaults); // "defaults shown"
    }

    @Test
    void aTypoFails() {
        assertThatThrownBy(() -> bind("taskqueue.outbox.poll-intervall=1s\n")).isInstanceOf(BindException.class)
                .hasStackTraceContaining("taskqueue.outbox.poll-intervall");
    }

    @Test
    void theReadmesSqlIsThePostgresqlScript() throws IOException {
        List<String> sql = blocks("sql");
        assertThat(sql).hasSize(1);
        String script;
        try (InputStream in = getClass().getResourceAsStream("/dev/taskqueue/outbox/schema-postgresql.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String withoutComments = script.lines().filter(line -> !line.startsWith("--"))
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(sql.get(0)).isEqualTo(withoutComments);
    }

    private static List<String> blocks(String language) {
        String readme = read(root().resolve("README.md"));
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            if (m.group(1).equals(language)) {
                blocks.add(m.group(2));
            }
        }
        return blocks;
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("README.md not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static TaskQueueOutboxProperties bind(String properties) {
        List<ConfigurationPropertySource> sources = new ArrayList<>();
        for (PropertySource<?> source : load(properties)) {
            ConfigurationPropertySources.from(source).forEach(each -> sources.add(each.filter(OUTBOX::isAncestorOf)));
        }
        return new Binder(sources).bindOrCreate(OUTBOX, Bindable.of(TaskQueueOutboxProperties.class),
                new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
    }

    private static List<PropertySource<?>> load(String properties) {
        try {
            return new PropertiesPropertySourceLoader().load("README.md",
                    new ByteArrayResource(properties.getBytes(StandardCharsets.ISO_8859_1), "README.md"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
