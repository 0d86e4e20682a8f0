package dev.taskqueue.autoconfigure.actuate;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The README's Spring Security example, as the web tests run it: health for anyone, reading the taskqueue
 * endpoint for MONITOR and OPS, its write operations (POST, DELETE) for OPS only.
 */
@Configuration(proxyBeanMethods = false)
class ActuatorSecurity {

    @Bean
    SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
        return http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(EndpointRequest.to("health")).permitAll()
                        .requestMatchers(EndpointRequest.to("taskqueue").withHttpMethod(HttpMethod.POST)).hasRole("OPS")
                        .requestMatchers(EndpointRequest.to("taskqueue").withHttpMethod(HttpMethod.DELETE)).hasRole("OPS")
                        .anyRequest().hasAnyRole("OPS", "MONITOR"))
                .httpBasic(Customizer.withDefaults())
                // Tools call the actuator with credentials on every request, not browsers with a session cookie.
                .csrf(AbstractHttpConfigurer::disable)
                .build();
    }

    @Bean
    InMemoryUserDetailsManager actuatorUsers() {
        return new InMemoryUserDetailsManager(
                User.withUsername("ops").password("{noop}ops-secret").roles("OPS").build(),
                User.withUsername("monitor").password("{noop}monitor-secret").roles("MONITOR").build());
    }
}
