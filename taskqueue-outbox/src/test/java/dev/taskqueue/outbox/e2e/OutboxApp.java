package dev.taskqueue.outbox.e2e;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.outbox.PostgresServer;
import dev.taskqueue.outbox.RowSender;
import dev.taskqueue.outbox.autoconfigure.TaskQueueOutboxAutoConfiguration;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Starts the {@link Orders} application in outbox mode on a database and a Redis, as a context of the test JVM
 * ({@link #start}) or as the main of a JVM of its own ({@link #main}, see {@link OutboxAppProcess}), which places
 * orders and then waits to be killed:
 * <ul>
 * <li>{@code --e2e.mode=commit-then-wait}: with no relay ({@code taskqueue.outbox.relay.enabled=false}), so its rows
 * are surely not relayed, places each of {@code --e2e.orders} (comma-separated) in a transaction of its own, then
 * prints {@value #COMMITTED};</li>
 * <li>{@code --e2e.mode=halt-after-send}: places all of {@code --e2e.orders} in one transaction; its relay writes the
 * row's tasks to Redis, prints {@value #SENT} and halts the JVM (exit 137) before the round's transaction, the row's
 * DELETE, commits.</li>
 * </ul>
 */
public final class OutboxApp {

    /** Printed by the child once its transactions committed. */
    static final String COMMITTED = "E2E-COMMITTED";

    /** Printed by the child's relay once Redis has the row's tasks, just before it halts. */
    static final String SENT = "E2E-SENT";

    private OutboxApp() {
    }

    /** The application's setup: what Spring Boot would auto-configure for it, and the orders. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
            DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class, TransactionAutoConfiguration.class, TaskQueueAutoConfiguration.class,
            TaskQueueOutboxAutoConfiguration.class })
    @Import(Orders.class)
    static class Application {
    }

    /**
     * The properties of an instance on the database at {@code url} and the Redis at {@code redisHost:redisPort},
     * under {@code keyPrefix}: outbox mode, its table created, a relay that polls rarely (a local commit wakes it), a
     * small worker, and short Redis timeouts (the tests stop Redis). A test changes them with {@link #with}.
     */
    static Map<String, String> properties(String url, String redisHost, int redisPort, String keyPrefix) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", url);
        properties.put("spring.datasource.username", url.startsWith("jdbc:postgresql")
                ? PostgresServer.require().user() : "sa");
        properties.put("spring.data.redis.host", redisHost);
        properties.put("spring.data.redis.port", Integer.toString(redisPort));
        properties.put("spring.data.redis.timeout", "2s");
        properties.put("spring.data.redis.connect-timeout", "1s");
        properties.put("taskqueue.key-prefix", keyPrefix);
        properties.put("taskqueue.submit.transactions", "outbox");
        properties.put("taskqueue.outbox.initialize-schema", "always");
        properties.put("taskqueue.outbox.poll-interval", "1h");
        properties.put("taskqueue.worker.concurrency", "4");
        properties.put("taskqueue.worker.poll-timeout", "500ms");
        properties.put("spring.main.banner-mode", "off");
        properties.put("logging.level.root", "WARN");
        return properties;
    }

    /** {@code properties} with {@code changes} ({@code name=value}) applied. */
    static Map<String, String> with(Map<String, String> properties, String... changes) {
        Map<String, String> changed = new LinkedHashMap<>(properties);
        for (String change : changes) {
            int equals = change.indexOf('=');
            changed.put(change.substring(0, equals), change.substring(equals + 1));
        }
        return changed;
    }

    /** The properties as command-line arguments. */
    static List<String> arguments(Map<String, String> properties) {
        return properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue()).toList();
    }

    /** Starts an instance in this JVM. */
    static ConfigurableApplicationContext start(Map<String, String> properties) {
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        return application.run(arguments(properties).toArray(String[]::new));
    }

    /** The child JVM: see the class comment. It exits by itself after five minutes, should its test not kill it. */
    public static void main(String[] args) throws InterruptedException {
        String mode = argument(args, "e2e.mode");
        List<String> orders = List.of(argument(args, "e2e.orders").split(","));
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        if (mode.equals("halt-after-send")) {
            application.addInitializers(context -> context.getBeanFactory().addBeanPostProcessor(haltAfterSend()));
        }
        ConfigurableApplicationContext context = application.run(args);
        TaskClient client = context.getBean(TaskClient.class);
        Orders shop = context.getBean(Orders.class);
        switch (mode) {
            case "commit-then-wait" -> {
                for (String order : orders) {
                    shop.place(client, List.of(order));
                }
                System.out.println(COMMITTED);
            }
            case "halt-after-send" -> shop.place(client, orders);
            default -> throw new IllegalArgumentException("Unknown --e2e.mode=" + mode);
        }
        System.out.flush();
        Thread.sleep(300_000);
        System.exit(1);
    }

    /** Wraps the relay's sender: once it has written a round's rows to Redis, the JVM dies as under kill -9. */
    private static BeanPostProcessor haltAfterSend() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (!(bean instanceof RowSender sender)) {
                    return bean;
                }
                return (RowSender) rows -> {
                    var failed = sender.send(rows);
                    System.out.println(SENT + " " + rows.size());
                    System.out.flush();
                    Runtime.getRuntime().halt(137);
                    return failed;
                };
            }
        };
    }

    private static String argument(String[] args, String name) {
        String prefix = "--" + name + "=";
        return Arrays.stream(args).filter(arg -> arg.startsWith(prefix)).map(arg -> arg.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("Missing " + prefix + "..."));
    }
}
