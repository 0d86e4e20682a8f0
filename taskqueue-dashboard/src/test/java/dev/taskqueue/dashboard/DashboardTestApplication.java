package dev.taskqueue.dashboard;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.Sensitive;
import dev.taskqueue.Task;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * An application with the dashboard behind Spring Boot's default security (every request authenticated, form login
 * and HTTP basic, CSRF on), users for each right, a task in each of two queues, and a recorder of audit events.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class DashboardTestApplication {

    /** Every user's password. */
    public static final String PASSWORD = "secret";

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(user("reader", "TASKQUEUE_READ"), user("operator", "TASKQUEUE_OPERATE"),
                User.withUsername("admin").password("{noop}" + PASSWORD).roles("TASKQUEUE_ADMIN", "TASKQUEUE_OPERATE")
                        .build(),
                user("stranger", "SOMETHING_ELSE"));
    }

    private static org.springframework.security.core.userdetails.UserDetails user(String name, String authority) {
        return User.withUsername(name).password("{noop}" + PASSWORD).authorities(authority).build();
    }

    @Bean
    Mail mail() {
        return new Mail();
    }

    @Bean
    AuditEvents auditEvents() {
        return new AuditEvents();
    }

    /** Tasks to see in the dashboard. */
    public static class Mail {

        @Task(name = "mail.send")
        public String send(String to) {
            return "sent to " + to;
        }

        @Task(name = "mail.login")
        public String login(String user, @Sensitive String password) {
            return "signed in " + user;
        }

        @Task(name = "mail.bounce", queue = "bounces")
        public void bounce() {
            throw new IllegalStateException("mailbox full");
        }
    }

    /** The Spring Boot audit events the application published. */
    public static class AuditEvents {

        public final List<AuditApplicationEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void on(AuditApplicationEvent event) {
            events.add(event);
        }
    }
}
