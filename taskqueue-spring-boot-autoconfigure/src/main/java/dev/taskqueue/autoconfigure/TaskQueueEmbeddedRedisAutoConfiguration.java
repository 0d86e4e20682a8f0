package dev.taskqueue.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.stream.Stream;

import dev.taskqueue.redis.LocalRedisServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Development mode: starts a throwaway Redis when the application has none, so that a new project runs with no
 * setup. It applies only when all of these hold:
 * <ul>
 * <li>{@code org.signal:embedded-redis} is on the class path (an optional dependency: add it to opt in);</li>
 * <li>{@code taskqueue.embedded-redis.enabled} is not false, and {@code taskqueue.broker} is {@code redis};</li>
 * <li>no Redis is configured: none of {@code spring.data.redis.url}, {@code .host}, {@code .port},
 * {@code .sentinel.master}, {@code .cluster.nodes}, and no connection details or factory bean;</li>
 * <li>nothing answers on {@code localhost:6379}.</li>
 * </ul>
 * It then starts a {@link LocalRedisServer} on a free 127.0.0.1 port and hands Boot's Redis auto-configuration a
 * {@link DataRedisConnectionDetails} pointing at it (Boot's own details back off when one exists). The server
 * stops with the context, after the connection factory that uses it.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(name = { "redis.embedded.RedisServer",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails",
        "org.springframework.data.redis.connection.RedisConnectionFactory" })
@ConditionalOnBooleanProperty(name = "taskqueue.embedded-redis.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "taskqueue.broker", havingValue = "redis", matchIfMissing = true)
@ConditionalOnMissingBean({ DataRedisConnectionDetails.class, RedisConnectionFactory.class })
@Conditional(TaskQueueEmbeddedRedisAutoConfiguration.NoRedisConfiguredCondition.class)
public final class TaskQueueEmbeddedRedisAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TaskQueueEmbeddedRedisAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    LocalRedisServer taskQueueEmbeddedRedis() {
        LocalRedisServer server = LocalRedisServer.startManaged(); // stopped by the context, after the worker
        log.warn("taskqueue started an EMBEDDED Redis on 127.0.0.1:{} FOR DEVELOPMENT ONLY: its data is in memory and "
                + "lost when the application exits. Set spring.data.redis.* (host, port or url) to use a real Redis.",
                server.port());
        return server;
    }

    @Bean
    DataRedisConnectionDetails taskQueueEmbeddedRedisConnectionDetails(LocalRedisServer taskQueueEmbeddedRedis) {
        DataRedisConnectionDetails.Standalone standalone = DataRedisConnectionDetails.Standalone.of("127.0.0.1",
                taskQueueEmbeddedRedis.port());
        return new DataRedisConnectionDetails() {

            @Override
            public Standalone getStandalone() {
                return standalone;
            }
        };
    }

    /** Matches when no Redis is configured and nothing answers on the default address. */
    static final class NoRedisConfiguredCondition extends SpringBootCondition {

        /** Any of these, in any form Boot binds (a YAML list's {@code nodes[0]}, an environment variable). */
        private static final List<ConfigurationPropertyName> REDIS_PROPERTIES = Stream.of("spring.data.redis.url",
                "spring.data.redis.host", "spring.data.redis.port", "spring.data.redis.sentinel",
                "spring.data.redis.cluster").map(ConfigurationPropertyName::of).toList();

        private static final int CONNECT_TIMEOUT_MILLIS = 200;

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            for (ConfigurationPropertySource source : ConfigurationPropertySources.get(context.getEnvironment())) {
                for (ConfigurationPropertyName property : REDIS_PROPERTIES) {
                    if (source.getConfigurationProperty(property) != null
                            || source.containsDescendantOf(property) == ConfigurationPropertyState.PRESENT) {
                        return ConditionOutcome.noMatch(property + " is set");
                    }
                }
            }
            if (answers("localhost", 6379)) {
                return ConditionOutcome.noMatch("something answers on localhost:6379");
            }
            return ConditionOutcome.match("no Redis configured and nothing answers on localhost:6379");
        }

        static boolean answers(String host, int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                return true;
            }
            catch (IOException ex) {
                return false;
            }
        }
    }
}
