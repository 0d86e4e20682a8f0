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
     * The queues in the order to try them for the next claim. Weighted, each queue draws {@code -ln(u) / weight}
     * ({@code u} uniform in (0, 1]) and the smallest comes first: the same order as drawing the first queue in
     * proportion to the weights, then the next among the rest, and so on (Efraimidis and Spirakis), in one sort
     * instead of a draw per place (a worker of 100 queues claims hundreds of times a second). The sort is of
     * primitives: each draw's bits (non-negative doubles order as their bits do) with its queue's index in the lowest
     * bits, which costs the draws a few bits of precision they do not need.
     */
    List<String> next() {
        if (strict) {
            return fixed;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int n = fixed.size();
        long indexBits = (1L << (32 - Integer.numberOfLeadingZeros(n - 1))) - 1;
        long[] draws = new long[n];
        for (int i = 0; i < n; i++) {
            double draw = (0.0 - Math.log(1.0 - random.nextDouble())) / weightOf[i]; // 0.0 - : never -0.0
            draws[i] = (Double.doubleToRawLongBits(draw) & ~indexBits) | i;
        }
        Arrays.sort(draws);
        List<String> order = new ArrayList<>(n);
        for (long draw : draws) {
            order.add(fixed.get((int) (draw & indexBits)));
        }
        return order;
    }

    /** The queues in their configured order. */
    List<String> all() {
        return fixed;
    }
}
