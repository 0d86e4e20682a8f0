package dev.taskqueue.readme.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.SecurityFilterChain;
// tag::security[]
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;

@Configuration(proxyBeanMethods = false)
public class ActuatorSecurity {

    @Bean
    SecurityFilterChain actuatorSecurityFilterChain(HttpSecurity http) throws Exception {
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
}
// end::security[]
