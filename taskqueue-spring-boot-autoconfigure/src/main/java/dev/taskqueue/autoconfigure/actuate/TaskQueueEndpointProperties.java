package dev.taskqueue.autoconfigure.actuate;

import java.util.HashSet;
import java.util.Set;

import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code taskqueue} endpoint's values: what tasks carry (arguments, results, error messages and stack traces,
 * progress messages, dead letters' messages) and the broker's address, shown as Boot's {@code env} endpoint shows its
 * values ({@code management.endpoint.env.show-values} and {@code roles}).
 */
@ConfigurationProperties("management.endpoint.taskqueue")
public class TaskQueueEndpointProperties {

    /** When to show task values (arguments, results, error messages and stack traces) and the broker's address. */
    private Show showValues = Show.NEVER;

    /**
     * Roles used to determine whether a user is authorized to be shown task values. When empty, all authenticated
     * users are authorized.
     */
    private final Set<String> roles = new HashSet<>();

    public Show getShowValues() {
        return showValues;
    }

    public void setShowValues(Show showValues) {
        this.showValues = showValues;
    }

    public Set<String> getRoles() {
        return roles;
    }
}
