package dev.taskqueue.dashboard.readme;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/** The README's example of opening the dashboard in production: a login, and an authority for each right. */
// tag::security[]
@Configuration(proxyBeanMethods = false)
public class DashboardSecurity {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/taskqueue/**")
                        .hasAnyAuthority("TASKQUEUE_READ", "TASKQUEUE_OPERATE", "TASKQUEUE_ADMIN")
                        .anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .build(); // CSRF stays on: the dashboard sends the token with each action
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("support").password("{noop}support").authorities("TASKQUEUE_READ").build(),
                User.withUsername("oncall").password("{noop}oncall").authorities("TASKQUEUE_OPERATE").build(),
                User.withUsername("lead").password("{noop}lead")
                        .authorities("TASKQUEUE_OPERATE", "TASKQUEUE_ADMIN").build());
    }
}
// end::security[]
