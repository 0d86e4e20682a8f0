package dev.taskqueue.readme;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.taskqueue.autoconfigure.TaskQueueProperties;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerProperties;
import dev.taskqueue.readme.Readme.Block;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ```properties} block of README.md, and the sample application's {@code application.properties}, works
 * when pasted into an application:
 * <ul>
 * <li>{@code taskqueue.*} keys bind to {@link TaskQueueProperties} and {@link TaskQueueSchedulerProperties} the way
 * Boot binds them, and a key neither binds (a typo) fails;</li>
 * <li>other keys ({@code spring.*}, {@code management.*}) are in the configuration metadata of the jars on the class
 * path (a property of map type, such as {@code management.endpoint.health.group}, takes any key below it);</li>
 * <li>no value holds {@code " #"}: a {@code .properties} file has comments on their own lines only, so a trailing
 * comment would become part of the value.</li>
 * </ul>
 */
class ReadmePropertiesTest {

    private static final ConfigurationPropertyName TASKQUEUE = ConfigurationPropertyName.of("taskqueue");

    private static final ConfigurationPropertyName DASHBOARD = ConfigurationPropertyName.of("taskqueue.dashboard");

    private static final ConfigurationPropertyName CELERY = ConfigurationPropertyName.of("taskqueue.celery");

    private static final ConfigurationPropertyName OUTBOX = ConfigurationPropertyName.of("taskqueue.outbox");

    private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s#");

    @Test
    void everyPropertiesBlockOfTheReadmeWorks() {
        List<String> problems = new ArrayList<>();
        for (Block block : Readme.blocks()) {
            if (block.language().equals("properties")) {
                problems.addAll(problems("README.md:" + block.line(), block.text()));
            }
        }
        Readme.failIfAny(problems);
    }

    @Test
    void theSampleApplicationsPropertiesWork() {
        String file = "sample-app/src/main/resources/application.properties";
        Readme.failIfAny(problems(file, Readme.read(Readme.root().resolve(file))));
    }

    @Test
    void typosTrailingCommentsAndUnknownKeysAreFound() {
        assertThat(problems("example", """
                taskqueue.worker.concurency=4
                taskqueue.schedulr.enabled=false
                taskqueue.key-prefix=shop   # ours
                management.endpoint.helth.show-details=always
                """)).hasSize(3).anyMatch(problem -> problem.contains("taskqueue.worker.concurency"))
                .anyMatch(problem -> problem.contains("taskqueue.schedulr.enabled"))
                .anyMatch(problem -> problem.contains("\"shop   # ours\""))
                .anyMatch(problem -> problem.contains("management.endpoint.helth.show-details"));
    }

    @Test
    void bothPropertyClassesAndKeysBelowMapsAreAccepted() {
        assertThat(problems("example", """
                taskqueue.schedules.cleanup.task=files.purge
                taskqueue.schedules.cleanup.fixed-rate=1h
                taskqueue.scheduler.enabled=false
                taskqueue.worker.concurrency=4
                taskqueue.health.queues.emails.max-lag=30s
                management.endpoint.health.group.readiness.include=readinessState,taskqueue
                spring.data.redis.port=6380
                """)).isEmpty();
    }

    private static List<String> problems(String where, String properties) {
        List<String> problems = new ArrayList<>();
        for (PropertySource<?> source : load(where, properties)) {
            EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
            for (String key : enumerable.getPropertyNames()) {
                String value = String.valueOf(enumerable.getProperty(key));
                if (TRAILING_COMMENT.matcher(value).find()) {
                    problems.add(where + ": the value of " + key + " is \"" + value + "\": a comment goes on a line of "
                            + "its own, or it is part of the value");
                }
                // taskqueue.* keys are checked by binding them, below
                if (!TASKQUEUE.isAncestorOf(ConfigurationPropertyName.adapt(key, '.')) && !Metadata.INSTANCE.knows(key)) {
                    problems.add(where + ": no metadata on the class path describes " + key + " (a typo?)");
                }
            }
            problems.addAll(bindProblems(where, source, TaskQueueSchedulerProperties.class));
            problems.addAll(bindProblems(where, source, TaskQueueProperties.class));
        }
        return problems;
    }

    private static List<PropertySource<?>> load(String where, String properties) {
        try {
            return new PropertiesPropertySourceLoader().load(where,
                    new ByteArrayResource(properties.getBytes(StandardCharsets.ISO_8859_1), where));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Binds the {@code taskqueue.*} keys that belong to {@code type} (those under its top-level properties; the rest
     * belong to {@link TaskQueueProperties}), failing on any that does not bind.
     */
    private static List<String> bindProblems(String where, PropertySource<?> source, Class<?> type) {
        Set<String> schedulerNames = topLevelNames(TaskQueueSchedulerProperties.class);
        // taskqueue.dashboard.*, taskqueue.celery.* and taskqueue.outbox.* belong to the dashboard, Celery and outbox
        // modules, whose own tests bind them (DashboardPropertiesTests, CeleryReadmePropertiesTest,
        // OutboxReadmeTests).
        Predicate<ConfigurationPropertyName> owned = name -> name.getNumberOfElements() > 1
                && !DASHBOARD.isAncestorOf(name) && !CELERY.isAncestorOf(name) && !OUTBOX.isAncestorOf(name)
                && schedulerNames.contains(name.getElement(1, ConfigurationPropertyName.Form.DASHED))
                        == (type == TaskQueueSchedulerProperties.class);
        List<ConfigurationPropertySource> sources = new ArrayList<>();
        ConfigurationPropertySources.from(source).forEach(s -> sources.add(s.filter(owned)));
        try {
            new Binder(sources).bind(TASKQUEUE, Bindable.of(type), new NoUnboundElementsBindHandler(
                    new IgnoreTopLevelConverterNotFoundBindHandler()));
            return List.of();
        }
        catch (BindException ex) {
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            return List.of(where + ": " + ex.getMessage() + ": " + cause.getMessage());
        }
    }

    private static Set<String> topLevelNames(Class<?> type) {
        Set<String> names = new HashSet<>();
        for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
            if (property.getReadMethod() != null && !property.getName().equals("class")) {
                names.add(DataObjectPropertyName.toDashedForm(property.getName()));
            }
        }
        return names;
    }

    /** What the {@code META-INF/*spring-configuration-metadata.json} files on the class path describe. */
    private static final class Metadata {

        static final Metadata INSTANCE = new Metadata();

        private final Set<ConfigurationPropertyName> properties = new HashSet<>();

        private final Set<ConfigurationPropertyName> maps = new HashSet<>();

        private Metadata() {
            JsonMapper json = JsonMapper.builder().build();
            for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                    "META-INF/additional-spring-configuration-metadata.json")) {
                for (URL url : resources(resource)) {
                    try (InputStream in = url.openStream()) {
                        for (JsonNode property : json.readTree(in).path("properties")) {
                            String name = property.path("name").asString();
                            if (!ConfigurationPropertyName.isValid(name)) {
                                continue;
                            }
                            properties.add(ConfigurationPropertyName.of(name));
                            if (property.path("type").asString("").startsWith("java.util.Map<")) {
                                maps.add(ConfigurationPropertyName.of(name));
                            }
                        }
                    }
                    catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }
            }
        }

        boolean knows(String key) {
            ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
            return properties.contains(name) || maps.stream().anyMatch(map -> map.isAncestorOf(name));
        }

        private static List<URL> resources(String name) {
            try {
                return Collections.list(Metadata.class.getClassLoader().getResources(name));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
