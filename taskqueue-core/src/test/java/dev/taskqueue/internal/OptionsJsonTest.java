package dev.taskqueue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.Unique;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A workflow step's options survive the trip through its predecessor's message. */
class OptionsJsonTest {

    private final JsonMapper mapper = JsonMapper.builder().build();

    @Test
    void everyOptionRoundTrips() {
        TaskOptions options = TaskOptions.defaults().queue("images").priority(7).countdown(Duration.ofSeconds(5))
                .expiresIn(Duration.ofMinutes(3)).header("tenant", "acme").header("trace", "abc")
                .retry(RetryPolicy.maxRetries(4).withDelay(Duration.ofMillis(250)).withMultiplier(3))
                .timeLimits(Duration.ofSeconds(10), Duration.ofSeconds(20)).rateLimit("10/s")
                .concurrency(2, "#user").unique("#user", Unique.Mode.WINDOW, Duration.ofMinutes(1));

        assertThat(OptionsJson.read(OptionsJson.write(mapper, options))).isEqualTo(options);
    }

    @Test
    void absoluteTimesRoundTripAndDefaultsStayEmpty() {
        TaskOptions options = TaskOptions.defaults().eta(Instant.ofEpochMilli(1_800_000_000_000L))
                .expiresAt(Instant.ofEpochMilli(1_800_000_600_000L));

        assertThat(OptionsJson.read(OptionsJson.write(mapper, options))).isEqualTo(options);
        assertThat(OptionsJson.write(mapper, TaskOptions.defaults()).toString()).isEqualTo("{}");
        assertThat(OptionsJson.read(OptionsJson.write(mapper, TaskOptions.defaults())))
                .isEqualTo(TaskOptions.defaults());
    }
}
