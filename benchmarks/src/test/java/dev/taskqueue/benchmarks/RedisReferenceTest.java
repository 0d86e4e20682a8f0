package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisReferenceTest {

    @Test
    void readsTheRatesOfQuietOutputWithItsProgressLines() {
        String output = "SET: rps=0.0 (overall: 0.0) avg_msec=-nan (overall: -nan)\r"
                + "SET: rps=858900.4 (overall: 855492.1) avg_msec=0.763 (overall: 0.763)\r"
                + "                                                  \r"
                + "SET: 856164.38 requests per second, p50=0.711 msec\n"
                + "LPUSH: rps=117088.0 (overall: 1012557.8) avg_msec=0.593 (overall: 0.665)\r"
                + "LPUSH: 892060.62 requests per second, p50=0.711 msec\n\n";

        assertThat(RedisReference.parse(output)).containsExactly(
                org.assertj.core.api.Assertions.entry("SET", 856164.38),
                org.assertj.core.api.Assertions.entry("LPUSH", 892060.62));
    }

    @Test
    void withoutRedisBenchmarkThereAreAbsoluteFiguresOnly() {
        RedisReference reference = RedisReference.measure("/nonexistent/redis-benchmark", 6379, 10, 10);

        assertThat(reference.figures()).isEmpty();
        assertThat(reference.lpushPipelined()).isNull();
        assertThat(reference.note()).contains("not on the PATH");
        assertThat(Figure.rate("r", "r", 1000).ratioTo(reference.lpushPipelined())).isNull();
    }

    @Test
    void ratesAreShownAsAFractionOfThePipelinedLpushRate() {
        RedisReference reference = new RedisReference(null, java.util.List.of(
                Figure.rate("redis-benchmark.lpush.p16", RedisReference.LPUSH_PIPELINED, 800_000)), null);

        assertThat(Figure.rate("r", "r", 80_000).ratioTo(reference.lpushPipelined())).isEqualTo(0.1);
        assertThat(Figure.millis("l", "l", 0.5).ratioTo(reference.lpushPipelined())).isNull();
    }
}
