package dev.taskqueue.dashboard.stream;

import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The streams are bounded in number, and all end when the application stops. */
class DashboardStreamsTests {

    @Test
    void noMoreThanMaxStreamsAreOpenAndStoppingEndsThemAll() {
        DashboardStreams streams = new DashboardStreams(JsonMapper.shared(), 2, System::currentTimeMillis);
        streams.start();
        try {
            streams.open("queues|null|true", () -> Map.of("pending", 1));
            streams.open("queues|null|true", () -> Map.of("pending", 1));

            assertThatExceptionOfType(DashboardStreams.TooManyStreamsException.class)
                    .isThrownBy(() -> streams.open("workers|null|true", Map::of))
                    .withMessageContaining("taskqueue.dashboard.max-streams");
            assertThat(streams.size()).isEqualTo(2);
        }
        finally {
            streams.stop();
        }
        assertThat(streams.size()).isZero();
        assertThat(streams.isRunning()).isFalse();
        assertThatExceptionOfType(DashboardStreams.TooManyStreamsException.class)
                .isThrownBy(() -> streams.open("queues|null|true", Map::of)).withMessageContaining("stopping");
    }
}
