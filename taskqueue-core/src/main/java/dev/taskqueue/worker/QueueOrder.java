package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The order in which a worker tries its queues at each claim: fixed (strict: a queue only when those before it
 * are empty), or a weighted random order, so that a queue of weight 3 comes first three times as often as one
 * of weight 1 and no queue starves (Sidekiq's weighted queues).
 */
final class QueueOrder {

    private final List<String> fixed;
    private final int[] weightOf;
    private final boolean strict;

    QueueOrder(Map<String, Integer> weights, boolean strict) {
        this.fixed = List.copyOf(weights.keySet());
        this.weightOf = fixed.stream().mapToInt(weights::get).toArray();
        this.strict = strict || weights.size() == 1;
    }

    /**
     * The queues in the order to try them for the next claim. Weighted, each queue draws {@code u^(1/weight)} ({@code u}
     * uniform in (0, 1)) and the largest comes first: the same order as drawing the first queue in proportion to the
     * weights, then the next among the rest, and so on (Efraimidis and Spirakis), in one sort instead of a draw per
     * place (a worker of 100 queues claims hundreds of times a second).
     */
    List<String> next() {
        if (strict) {
            return fixed;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int n = fixed.size();
        double[] draws = new double[n];
        Integer[] places = new Integer[n];
        for (int i = 0; i < n; i++) {
            // log(u) / weight orders as u^(1/weight) does, without the power
            draws[i] = Math.log(1.0 - random.nextDouble()) / weightOf[i];
            places[i] = i;
        }
        Arrays.sort(places, (x, y) -> Double.compare(draws[y], draws[x]));
        List<String> order = new ArrayList<>(n);
        for (Integer place : places) {
            order.add(fixed.get(place));
        }
        return order;
    }

    /** The queues in their configured order. */
    List<String> all() {
        return fixed;
    }
}
