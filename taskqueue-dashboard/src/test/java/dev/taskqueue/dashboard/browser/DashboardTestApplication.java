package dev.taskqueue.dashboard.browser;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.audit.InMemoryAuditEventRepository;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The application the browser tests run: auto-configuration (taskqueue, its dashboard, Spring MVC, Spring Security)
 * plus the {@link BrowserTasks}, the {@link TestUsers} and an audit event repository. It scans no packages, and is a {@code @TestComponent} so
 * that the scans of other tests' applications skip it.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({ BrowserTasks.class, TestUsers.class })
@TestComponent
class DashboardTestApplication {

    /** Spring Boot keeps audit events only when the application has a repository for them; the audit page reads it. */
    @Bean
    InMemoryAuditEventRepository auditEvents() {
        return new InMemoryAuditEventRepository();
    }
}
