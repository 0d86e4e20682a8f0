package dev.taskqueue.dashboard.autoconfigure;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.taskqueue.actuate.view.TaskQueueActions;
import dev.taskqueue.actuate.view.TaskQueueViews;
import dev.taskqueue.autoconfigure.TaskQueueProperties;
import dev.taskqueue.autoconfigure.TaskQueueRedisConnectionFactory;
import dev.taskqueue.autoconfigure.actuate.TaskQueueViewsAutoConfiguration;
import dev.taskqueue.dashboard.access.AuthorityRights;
import dev.taskqueue.dashboard.access.DashboardAccess;
import dev.taskqueue.dashboard.access.LoopbackAccess;
import dev.taskqueue.dashboard.access.SpringSecurityAccess;
import dev.taskqueue.dashboard.audit.ActuatorAuditEvents;
import dev.taskqueue.dashboard.audit.AuditEntry;
import dev.taskqueue.dashboard.audit.AuditRecorder;
import dev.taskqueue.dashboard.audit.AuditTrail;
import dev.taskqueue.dashboard.audit.LocalAuditTrail;
import dev.taskqueue.dashboard.audit.RedisAuditTrail;
import dev.taskqueue.dashboard.stream.DashboardStreams;
import dev.taskqueue.dashboard.web.DashboardActionApi;
import dev.taskqueue.dashboard.web.DashboardErrors;
import dev.taskqueue.dashboard.web.DashboardGuard;
import dev.taskqueue.dashboard.web.DashboardPage;
import dev.taskqueue.dashboard.web.DashboardReadApi;
import dev.taskqueue.dashboard.web.DashboardStreamApi;
import dev.taskqueue.dashboard.web.DashboardWebConfigurer;
import dev.taskqueue.redis.RedisStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The taskqueue dashboard at {@code taskqueue.dashboard.path} ({@code /taskqueue}), in a servlet web application
 * that has taskqueue's read model ({@link TaskQueueViews}):
 * <ul>
 * <li>with Spring Security on the class path, behind the application's security: each route checks the caller's
 * authorities ({@code taskqueue.dashboard.authorities.*}); off only when {@code taskqueue.dashboard.enabled=false};</li>
 * <li>without it, only when {@code taskqueue.dashboard.enabled=true}, and then for loopback requests only.</li>
 * </ul>
 * Actions are audited in Redis (when Spring Data Redis is there; in memory otherwise) and, with the actuator, as
 * Spring Boot audit events.
 */
@AutoConfiguration(after = TaskQueueViewsAutoConfiguration.class, afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(WebMvcConfigurer.class)
@ConditionalOnBean({ TaskQueueViews.class, TaskQueueActions.class })
@Conditional(DashboardCondition.class)
@EnableConfigurationProperties(DashboardProperties.class)
public final class TaskQueueDashboardAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TaskQueueDashboardAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    AuditRecorder taskQueueDashboardAuditRecorder(ObjectProvider<AuditTrail> trail,
            ObjectProvider<ActuatorAuditEvents> events) {
        List<Consumer<AuditEntry>> listeners = new ArrayList<>();
        events.ifAvailable(listeners::add);
        return new AuditRecorder(trail.getIfAvailable(LocalAuditTrail::new), listeners, Clock.systemUTC());
    }

    @Bean
    DashboardGuard taskQueueDashboardGuard(DashboardAccess access, DashboardProperties properties,
            AuditRecorder audit) {
        return new DashboardGuard(access, properties.isReadOnly(), audit);
    }

    @Bean
    DashboardWebConfigurer taskQueueDashboardWebConfigurer(DashboardProperties properties, DashboardGuard guard) {
        return new DashboardWebConfigurer(path(properties), guard);
    }

    @Bean
    DashboardPage taskQueueDashboardPage(DashboardProperties properties, DashboardAccess access) {
        return new DashboardPage(path(properties), access, properties.isReadOnly());
    }

    @Bean
    DashboardReadApi taskQueueDashboardReadApi(TaskQueueViews views, AuditRecorder audit, DashboardAccess access,
            DashboardProperties properties) {
        return new DashboardReadApi(views, audit, access, properties.getShowValues(), properties.isReadOnly(),
                properties.getTraceUrl());
    }

    @Bean
    DashboardActionApi taskQueueDashboardActionApi(TaskQueueActions actions, AuditRecorder audit) {
        return new DashboardActionApi(actions, audit);
    }

    @Bean
    DashboardStreams taskQueueDashboardStreams(ObjectProvider<JsonMapper> json, DashboardProperties properties) {
        return new DashboardStreams(json.getIfAvailable(JsonMapper::shared), properties.getMaxStreams(),
                System::currentTimeMillis);
    }

    @Bean
    DashboardStreamApi taskQueueDashboardStreamApi(TaskQueueViews views, DashboardStreams streams,
            DashboardProperties properties) {
        return new DashboardStreamApi(views, streams, properties.getShowValues(), properties.getTraceUrl());
    }

    @Bean
    DashboardErrors taskQueueDashboardErrors() {
        return new DashboardErrors();
    }

    /** The dashboard's path, checked: it must start with '/' and not end with one. */
    static String path(DashboardProperties properties) {
        String path = properties.getPath();
        if (!path.startsWith("/") || path.endsWith("/") || path.contains("*") || path.contains("{")) {
            throw new IllegalStateException("taskqueue.dashboard.path must start with '/', not end with one, and hold "
                    + "no pattern, such as /taskqueue or /ops/tasks; got '" + path + "'");
        }
        return path;
    }

    /** With Spring Security: the caller's authorities, on top of the application's filter chain. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = DashboardCondition.SPRING_SECURITY)
    static class SpringSecurityAccessConfiguration {

        @Bean
        @ConditionalOnMissingBean
        DashboardAccess taskQueueDashboardAccess(DashboardProperties properties) {
            DashboardProperties.Authorities authorities = properties.getAuthorities();
            log.info("taskqueue dashboard at {}, behind Spring Security: reading needs the authority {}, operating {}, "
                    + "administering {}", path(properties), authorities.getRead(), authorities.getOperate(),
                    authorities.getAdmin());
            return new SpringSecurityAccess(new AuthorityRights(authorities.getRead(), authorities.getOperate(),
                    authorities.getAdmin()));
        }
    }

    /** Without Spring Security: loopback requests only. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(DashboardCondition.SPRING_SECURITY)
    static class LoopbackAccessConfiguration {

        @Bean
        @ConditionalOnMissingBean
        DashboardAccess taskQueueDashboardAccess(DashboardProperties properties) {
            log.warn("taskqueue dashboard at {} without Spring Security: it answers requests from this host "
                    + "(loopback) only, with every right, and refuses all others. Add spring-boot-starter-security "
                    + "to open it to others behind a login", path(properties));
            return new LoopbackAccess();
        }
    }

    /** Actions in Redis, shared by every instance, next to taskqueue's keys. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StringRedisTemplate.class)
    static class RedisAuditConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(RedisConnectionFactory.class)
        AuditTrail taskQueueDashboardAuditTrail(
                @TaskQueueRedisConnectionFactory ObjectProvider<RedisConnectionFactory> taskQueueConnectionFactory,
                ObjectProvider<RedisConnectionFactory> connectionFactory, ObjectProvider<TaskQueueProperties> taskQueue) {
            RedisConnectionFactory factory = taskQueueConnectionFactory.getIfAvailable(connectionFactory::getObject);
            TaskQueueProperties properties = taskQueue.getIfAvailable();
            return new RedisAuditTrail(new StringRedisTemplate(factory),
                    properties != null ? properties.getKeyPrefix() : RedisStores.DEFAULT_KEY_PREFIX, Clock.systemUTC());
        }
    }

    /** Actions as Spring Boot audit events, with the actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(AuditApplicationEvent.class)
    static class ActuatorAuditConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ActuatorAuditEvents taskQueueDashboardAuditEvents(ApplicationEventPublisher publisher) {
            return new ActuatorAuditEvents(publisher);
        }
    }
}
