package dev.taskqueue.dashboard;

import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.actuate.TaskQueueViewsAutoConfiguration;
import dev.taskqueue.dashboard.access.DashboardAccess;
import dev.taskqueue.dashboard.access.LoopbackAccess;
import dev.taskqueue.dashboard.access.SpringSecurityAccess;
import dev.taskqueue.dashboard.autoconfigure.TaskQueueDashboardAutoConfiguration;
import dev.taskqueue.dashboard.web.DashboardGuard;
import dev.taskqueue.dashboard.web.DashboardPage;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without Spring Security on the class path the dashboard is off unless {@code taskqueue.dashboard.enabled=true}, and
 * then answers loopback requests only; with it, it is on unless disabled.
 */
class DashboardWithoutSecurityTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TaskQueueAutoConfiguration.class,
                    TaskQueueViewsAutoConfiguration.class, WebMvcAutoConfiguration.class,
                    TaskQueueDashboardAutoConfiguration.class))
            .withPropertyValues("spring.data.redis.host=" + TestRedis.host(),
                    "spring.data.redis.port=" + TestRedis.port(), "taskqueue.worker.enabled=false",
                    "taskqueue.key-prefix=" + TestRedis.newKeyPrefix());

    private final WebApplicationContextRunner withoutSecurity = runner
            .withClassLoader(new FilteredClassLoader("org.springframework.security"));

    @Test
    void dashboardIsOffWithoutSpringSecurityUnlessEnabled() {
        withoutSecurity.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardPage.class));
        withoutSecurity.withPropertyValues("taskqueue.dashboard.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DashboardPage.class));
    }

    @Test
    void enabledWithoutSpringSecurityItAnswersLoopbackRequestsOnly() {
        withoutSecurity.withPropertyValues("taskqueue.dashboard.enabled=true").run(context -> {
            assertThat(context).hasSingleBean(DashboardPage.class);
            assertThat(context.getBean(DashboardAccess.class)).isInstanceOf(LoopbackAccess.class);
            DashboardGuard guard = context.getBean(DashboardGuard.class);

            assertThat(guard.preHandle(request("127.0.0.1", false), new MockHttpServletResponse(), new Object()))
                    .isTrue();
            assertThat(guard.preHandle(request("0:0:0:0:0:0:0:1", false), new MockHttpServletResponse(),
                    new Object())).isTrue();
            MockHttpServletResponse remote = new MockHttpServletResponse();
            assertThat(guard.preHandle(request("192.0.2.7", false), remote, new Object())).isFalse();
            assertThat(remote.getStatus()).isEqualTo(403);
            assertThat(remote.getContentAsString()).contains("loopback");
            MockHttpServletResponse proxied = new MockHttpServletResponse();
            assertThat(guard.preHandle(request("127.0.0.1", true), proxied, new Object())).isFalse();
            assertThat(proxied.getStatus()).isEqualTo(403);
            assertThat(proxied.getHeader("Content-Security-Policy")).isEqualTo(DashboardGuard.CONTENT_SECURITY_POLICY);
        });
    }

    @Test
    void enabledWithoutSpringSecurityItRefusesRebindingAndCrossSiteWrites() {
        withoutSecurity.withPropertyValues("taskqueue.dashboard.enabled=true").run(context -> {
            DashboardGuard guard = context.getBean(DashboardGuard.class);
            DashboardAccess access = context.getBean(DashboardAccess.class);
            MockHttpServletRequest rebound = request("127.0.0.1", false);
            rebound.setServerName("attacker.example");
            MockHttpServletResponse refused = new MockHttpServletResponse();
            assertThat(guard.preHandle(rebound, refused, new Object())).isFalse();
            assertThat(refused.getStatus()).isEqualTo(403);

            MockHttpServletRequest write = request("127.0.0.1", false);
            write.setMethod("POST");
            MockHttpServletResponse withoutToken = new MockHttpServletResponse();
            assertThat(guard.preHandle(write, withoutToken, new Object())).isFalse();
            assertThat(withoutToken.getStatus()).isEqualTo(403);
            assertThat(withoutToken.getContentAsString()).contains("CSRF token");

            DashboardAccess.CsrfToken token = access.csrf(write);
            assertThat(token).isNotNull();
            write.addHeader(token.header(), token.token());
            assertThat(guard.preHandle(write, new MockHttpServletResponse(), new Object())).isTrue();
        });
    }

    @Test
    void withSpringSecurityItIsOnUnlessDisabled() {
        runner.run(context -> assertThat(context.getBean(DashboardAccess.class))
                .isInstanceOf(SpringSecurityAccess.class));
        runner.withPropertyValues("taskqueue.dashboard.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DashboardPage.class));
    }

    @Test
    void aPathThatIsNotOneFailsStartupSayingWhatToWrite() {
        runner.withPropertyValues("taskqueue.dashboard.path=taskqueue/").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("taskqueue.dashboard.path must start with '/'"));
    }

    private static MockHttpServletRequest request(String remoteAddress, boolean forwarded) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/taskqueue/api/queues");
        request.setRemoteAddr(remoteAddress);
        if (forwarded) {
            request.addHeader("X-Forwarded-For", "192.0.2.7");
        }
        return request;
    }
}
