package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The order in which a worker tries its queues at each claim: fixed (strict: a queue only when those before it
 * are empty), or a weighted random order, so that a queue of weight 3 comes first three times as often as one
 * of weight 1 and no queue starves (Sidekiq's weighted queues).
 */
final class QueueOrder {

    private final Map<String, Integer> weights;
    private final List<String> fixed;
    private final boolean strict;

    QueueOrder(Map<String, Integer> weights, boolean strict) {
        this.weights = new LinkedHashMap<>(weights);
        this.fixed = List.copyOf(weights.keySet());
        this.strict = strict || weights.size() == 1;
    }

    /** The queues in the order to try them for the next claim. */
    List<String> next() {
        if (strict) {
            return fixed;
        }
        List<String> remaining = new ArrayList<>(fixed);
        List<String> order = new ArrayList<>(fixed.size());
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!remaining.isEmpty()) {
            int total = 0;
            for (String queue : remaining) {
                total += weights.get(queue);
            }
            int pick = random.nextInt(total);
            for (int i = 0; i < remaining.size(); i++) {
                pick -= weights.get(remaining.get(i));
                if (pick < 0) {
                    order.add(remaining.remove(i));
                    break;
                }
            }
        }
        return order;
    }

    /** The queues in their configured order. */
    List<String> all() {
        return fixed;
    }
}
