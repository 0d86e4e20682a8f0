package dev.taskqueue.dashboard.browser;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.context.annotation.Import;

/**
 * The application the browser tests run: auto-configuration (taskqueue, its dashboard, Spring MVC, Spring Security)
 * plus the {@link BrowserTasks} and the {@link TestUsers}. It scans no packages, and is a {@code @TestComponent} so
 * that the scans of other tests' applications skip it.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({ BrowserTasks.class, TestUsers.class })
@TestComponent
class DashboardTestApplication {
}
