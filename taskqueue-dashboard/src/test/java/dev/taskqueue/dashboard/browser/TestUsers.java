package dev.taskqueue.dashboard.browser;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The application's own security, as a user would write it: form and basic login, CSRF left on, and three users
 * with the dashboard's authorities: {@code reader} (TASKQUEUE_READ), {@code operator} (TASKQUEUE_OPERATE) and
 * {@code admin} (TASKQUEUE_OPERATE and TASKQUEUE_ADMIN: purging is not pausing, so an administrator has both). Passwords equal the user names ({@code {noop}}: a test, not an example to copy).
 */
@TestConfiguration(proxyBeanMethods = false)
class TestUsers {

    static final String READER = "reader";

    static final String OPERATOR = "operator";

    static final String ADMIN = "admin";

    @Bean
    SecurityFilterChain applicationSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .httpBasic(Customizer.withDefaults());
        return http.build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername(READER).password("{noop}" + READER).authorities("TASKQUEUE_READ").build(),
                User.withUsername(OPERATOR).password("{noop}" + OPERATOR).authorities("TASKQUEUE_OPERATE").build(),
                User.withUsername(ADMIN).password("{noop}" + ADMIN)
                        .authorities("TASKQUEUE_OPERATE", "TASKQUEUE_ADMIN").build());
    }
}
