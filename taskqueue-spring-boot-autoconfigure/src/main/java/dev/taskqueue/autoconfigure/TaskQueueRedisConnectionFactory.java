package dev.taskqueue.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifies the {@code LettuceConnectionFactory} taskqueue uses when it must not be the application's primary one
 * (a dedicated Redis for tasks, or other client settings). Without such a bean, taskqueue uses the application's
 * single or primary {@code RedisConnectionFactory}.
 *
 * <pre>{@code
 * @Bean
 * @TaskQueueRedisConnectionFactory
 * LettuceConnectionFactory taskQueueRedis() {
 *     return new LettuceConnectionFactory(new RedisStandaloneConfiguration("tasks-redis", 6379));
 * }
 * }</pre>
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE,
        ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface TaskQueueRedisConnectionFactory {

}
