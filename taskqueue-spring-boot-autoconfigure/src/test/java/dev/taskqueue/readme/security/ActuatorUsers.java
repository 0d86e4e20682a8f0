package dev.taskqueue.readme.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * Who may call the actuator behind {@link ActuatorSecurity}, in the tests: an operator (role OPS) and a monitoring
 * tool (role MONITOR). An application has its own user store instead.
 */
@Configuration(proxyBeanMethods = false)
public class ActuatorUsers {

    public static final String OPS = "ops";

    public static final String OPS_PASSWORD = "ops-secret";

    public static final String MONITOR = "monitor";

    public static final String MONITOR_PASSWORD = "monitor-secret";

    @Bean
    InMemoryUserDetailsManager userDetailsService() {
        return new InMemoryUserDetailsManager(
                User.withUsername(OPS).password("{noop}" + OPS_PASSWORD).roles("OPS").build(),
                User.withUsername(MONITOR).password("{noop}" + MONITOR_PASSWORD).roles("MONITOR").build());
    }
}
