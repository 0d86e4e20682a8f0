package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

/**
 * How {@link Combiner} sends: at once with nothing in flight, in pairs or more below its scripts in flight, else
 * together with the next reply.
 */
class CombinerTest {

    /** A sender that records each script and answers it when the test says. */
    private static final class HeldSender {

        final List<List<String>> sent = new ArrayList<>();
        final List<CompletableFuture<List<String>>> replies = new ArrayList<>();

        synchronized CompletableFuture<List<String>> send(String key, List<String> messages) {
            sent.add(messages);
            CompletableFuture<List<String>> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        /** Answers the {@code n}th script: each message's reply is the message upper-cased. */
        void answer(int n) {
            CompletableFuture<List<String>> reply;
            List<String> messages;
            synchronized (this) {
                reply = replies.get(n);
                messages = sent.get(n);
            }
            reply.complete(messages.stream().map(String::toUpperCase).toList());
        }
    }

    private static Combiner<String, String> inOneScript(HeldSender sender, int inFlight) {
        return new Combiner<>(Combiner.Sender.inOneCall(sender::send), String::length, inFlight);
    }

    @Test
    void callsAreSentAtOnceUpToTheScriptsInFlightAndTheRestLeaveTogetherWithTheNextReply() {
        HeldSender sender = new HeldSender();
        Combiner<String, String> combiner = inOneScript(sender, 2);

        CompletableFuture<String> a = combiner.submit("q", "a");
        CompletableFuture<String> b = combiner.submit("q", "b");
        CompletableFuture<String> c = combiner.submit("q", "c");
        CompletableFuture<String> d = combiner.submit("q", "d");
        CompletableFuture<String> e = combiner.submit("q", "e");

        // a alone (nothing in flight), b with c (one in flight): two in flight, d and e wait
        assertThat(sender.sent).containsExactly(List.of("a"), List.of("b", "c"));
        sender.answer(0);
        assertThat(a).isCompletedWithValue("A");
        assertThat(sender.sent).containsExactly(List.of("a"), List.of("b", "c"), List.of("d", "e"));
        sender.answer(2);
        assertThat(d).isCompletedWithValue("D");
        assertThat(e).isCompletedWithValue("E");
        assertThat(b).isNotDone();
        sender.answer(1);
        assertThat(b).isCompletedWithValue("B");
        assertThat(c).isCompletedWithValue("C");
    }

    @Test
    void aCallBesideABatchInFlightWaitsForAnotherCallOrTheNextReply() {
        HeldSender sender = new HeldSender();
        Combiner<String, String> combiner = inOneScript(sender, 4);

        combiner.submit("q", "a");
        CompletableFuture<String> b = combiner.submit("q", "b");
        assertThat(sender.sent).as("b alone beside a: it waits").containsExactly(List.of("a"));
        sender.answer(0);
        assertThat(sender.sent).as("with a's reply").containsExactly(List.of("a"), List.of("b"));

        combiner.submit("q", "c");
        CompletableFuture<String> d = combiner.submit("q", "d");
        assertThat(sender.sent).as("d takes c with it: two in flight, of four").last().isEqualTo(List.of("c", "d"));
        sender.answer(1);
        sender.answer(2);
        assertThat(b).isCompletedWithValue("B");
        assertThat(d).isCompletedWithValue("D");
        CompletableFuture<String> e = combiner.submit("q", "e");
        assertThat(sender.sent).as("nothing in flight: at once").last().isEqualTo(List.of("e"));
        sender.answer(3);
        assertThat(e).isCompletedWithValue("E");
    }

    @Test
    void eachKeyHasItsOwnScriptsInFlight() {
        HeldSender sender = new HeldSender();
        Combiner<String, String> combiner = inOneScript(sender, 1);

        combiner.submit("q1", "a");
        combiner.submit("q2", "b");
        combiner.submit("q1", "c");

        assertThat(sender.sent).containsExactly(List.of("a"), List.of("b"));
        sender.answer(0);
        assertThat(sender.sent).containsExactly(List.of("a"), List.of("b"), List.of("c"));
    }

    @Test
    void aKeyWhoseScriptsAreAllAnsweredSendsTheNextCallAtOnce() {
        HeldSender sender = new HeldSender();
        Combiner<String, String> combiner = inOneScript(sender, 2);

        combiner.submit("q", "a");
        combiner.submit("q", "b");
        combiner.submit("q", "c");
        sender.answer(0);
        sender.answer(1);
        CompletableFuture<String> d = combiner.submit("q", "d");
        combiner.submit("q", "e");
        combiner.submit("q", "f");
        combiner.submit("q", "g");

        assertThat(sender.sent).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"), List.of("e", "f"));
        sender.answer(2);
        assertThat(d).isCompletedWithValue("D");
        assertThat(sender.sent).last().isEqualTo(List.of("g"));
    }

    @Test
    void aFailedScriptFailsEveryCallItCarriedAndTheWaitingStillLeave() {
        HeldSender sender = new HeldSender();
        Combiner<String, String> combiner = inOneScript(sender, 1);

        CompletableFuture<String> a = combiner.submit("q", "a");
        CompletableFuture<String> b = combiner.submit("q", "b");
        CompletableFuture<String> c = combiner.submit("q", "c");
        sender.replies.get(0).completeExceptionally(new IllegalStateException("connection lost"));

        assertThat(a).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("connection lost");
        assertThat(sender.sent).containsExactly(List.of("a"), List.of("b", "c"));
        sender.answer(1);
        assertThat(b).isCompletedWithValue("B");
        assertThat(c).isCompletedWithValue("C");
    }

    @Test
    void aCallSentAsItsOwnCommandFailsAloneAndItsBatchEndsWithItsLastReply() {
        List<List<CompletableFuture<String>>> sent = new ArrayList<>();
        Combiner<String, String> combiner = new Combiner<>((key, messages) -> {
            List<CompletableFuture<String>> each = messages.stream().map(m -> new CompletableFuture<String>()).toList();
            sent.add(each);
            return each;
        }, String::length, 1);

        CompletableFuture<String> a = combiner.submit("q", "a");
        CompletableFuture<String> b = combiner.submit("q", "b");
        CompletableFuture<String> c = combiner.submit("q", "c");
        sent.get(0).get(0).complete("A");
        CompletableFuture<String> d = combiner.submit("q", "d");
        sent.get(1).get(0).completeExceptionally(new IllegalStateException("WRONGTYPE"));

        assertThat(a).isCompletedWithValue("A");
        assertThat(b).as("its batch waits for c's reply").isNotDone();
        assertThat(sent).as("d waits for b and c's batch").hasSize(2);
        sent.get(1).get(1).complete("C");
        assertThat(b).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("WRONGTYPE");
        assertThat(c).isCompletedWithValue("C");
        assertThat(sent).hasSize(3);
        sent.get(2).get(0).complete("D");
        assertThat(d).isCompletedWithValue("D");
    }

    @Test
    void aSenderThatAnswersFewerCallsThanItWasGivenFailsThemAllAndTheNextStillLeave() {
        CompletableFuture<String> firstReply = new CompletableFuture<>();
        List<List<String>> sent = new ArrayList<>();
        Combiner<String, String> combiner = new Combiner<>((key, messages) -> {
            sent.add(messages);
            return switch (sent.size()) {
                case 1 -> List.of(firstReply);
                case 2 -> List.of(CompletableFuture.completedFuture("B")); // one reply for two calls: a bug
                default -> messages.stream().map(m -> CompletableFuture.completedFuture(m.toUpperCase())).toList();
            };
        }, String::length, 1);

        CompletableFuture<String> a = combiner.submit("q", "a");
        CompletableFuture<String> b = combiner.submit("q", "b");
        CompletableFuture<String> c = combiner.submit("q", "c");
        firstReply.complete("A");
        CompletableFuture<String> d = combiner.submit("q", "d");

        assertThat(a).isCompletedWithValue("A");
        assertThat(sent).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"));
        for (CompletableFuture<String> unanswered : List.of(b, c)) {
            assertThat(unanswered).as("failed, not left to wait out its timeout").failsWithin(Duration.ZERO)
                    .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(IllegalStateException.class)
                    .withMessageContaining("1 replies for 2 calls");
        }
        assertThat(d).isCompletedWithValue("D");
    }
}
