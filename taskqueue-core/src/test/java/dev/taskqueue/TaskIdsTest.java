package dev.taskqueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Generated task ids: UUIDv7, unique across threads, increasing within one JVM, random in their low bits; and which
 * ids a caller may choose.
 */
class TaskIdsTest {

    @Test
    void idsFromManyThreadsAreUniqueValidVersion7Uuids() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(threads.submit(() -> {
                    String previous = "";
                    for (int i = 0; i < 20_000; i++) {
                        String id = TaskIds.next();
                        assertThat(id.compareTo(previous)).isPositive(); // time-ordered within a thread
                        previous = id;
                        ids.add(id);
                    }
                }));
            }
            for (Future<?> each : done) {
                each.get();
            }
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(ids).hasSize(160_000);
        for (String id : ids.stream().limit(1_000).toList()) {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            TaskIds.check(id);
        }
    }

    @Test
    void theRandomBitsDifferBetweenIdsOfOneMillisecond() {
        Set<Long> randomBits = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 10_000; i++) {
            randomBits.add(UUID.fromString(TaskIds.next()).getLeastSignificantBits());
        }
        assertThat(randomBits).hasSize(10_000);
    }

    @Test
    void anIdOfOneTo200LettersDigitsAndDotUnderscoreColonDashIsAccepted() {
        for (String id : List.of("a", "Z9", "order-42", "orders:2026.12_03", "a".repeat(200))) {
            TaskIds.check(id);
        }
    }

    @Test
    void anyOtherIdIsRefusedSayingWhatAnIdMayHold() {
        for (String id : Arrays.asList(null, "", "a".repeat(201), "a b", "{queue}", "a/b", "caf\u00e9", "a*", "\u0661")) {
            assertThatIllegalArgumentException().isThrownBy(() -> TaskIds.check(id))
                    .withMessageContaining("1 to 200 letters, digits or . _ : - characters");
        }
    }
}
