package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class QueueOrderTest {

    private static final int DRAWS = 60_000;

    @Test
    void strictOrderIsTheConfiguredOne() {
        QueueOrder order = new QueueOrder(weights("a", 1, "b", 5, "c", 2), true);

        assertThat(order.next()).containsExactly("a", "b", "c");
    }

    @Test
    void eachPlaceIsDrawnInProportionToTheWeightsOfTheQueuesLeft() {
        QueueOrder order = new QueueOrder(weights("a", 1, "b", 2, "c", 3), false);
        Map<List<String>, Integer> seen = new HashMap<>();
        for (int i = 0; i < DRAWS; i++) {
            List<String> drawn = order.next();
            assertThat(drawn).containsExactlyInAnyOrder("a", "b", "c");
            seen.merge(drawn, 1, Integer::sum);
        }

        // c first 3/6 of the time, then b among a and b 2/3 of the time: 1/3; a, b, c: 1/6 * 2/5
        assertThat(share(seen, "c", "b", "a")).isCloseTo(1.0 / 3, within(0.015));
        assertThat(share(seen, "c", "a", "b")).isCloseTo(1.0 / 6, within(0.015));
        assertThat(share(seen, "b", "c", "a")).isCloseTo(2.0 / 6 * 3 / 4, within(0.015));
        assertThat(share(seen, "a", "b", "c")).isCloseTo(1.0 / 6 * 2 / 5, within(0.015));
    }

    private static double share(Map<List<String>, Integer> seen, String... order) {
        return seen.getOrDefault(List.of(order), 0) / (double) DRAWS;
    }

    private static Map<String, Integer> weights(Object... pairs) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            weights.put((String) pairs[i], (Integer) pairs[i + 1]);
        }
        return weights;
    }
}
