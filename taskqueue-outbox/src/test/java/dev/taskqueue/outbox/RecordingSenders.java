package dev.taskqueue.outbox;

import java.util.List;

/** Test helpers around {@link RecordingSender}, for tests outside its package. */
public final class RecordingSenders {

    private RecordingSenders() {
    }

    /** Relays every pending row of {@code store} with a sender that accepts all; returns their payloads. */
    public static List<String> relayAll(JdbcOutboxStore store) {
        RecordingSender sender = new RecordingSender();
        while (store.relayRound(100, sender) > 0) {
            // until none is left
        }
        return sender.payloads();
    }
}
