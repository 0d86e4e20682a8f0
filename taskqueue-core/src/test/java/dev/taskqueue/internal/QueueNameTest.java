package dev.taskqueue.internal;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Which queue names a task may be sent to: they sit inside Redis key names. */
class QueueNameTest {

    @Test
    void aNameOfOneTo100LettersDigitsAndDotUnderscoreDashIsAccepted() {
        for (String queue : List.of("a", "Z9", "images", "mail.high_priority-2", "q".repeat(100))) {
            assertThat(TaskDeclarations.checkQueueName(queue)).isEqualTo(queue);
        }
    }

    @Test
    void anyOtherNameIsRefusedSayingWhatANameMayHold() {
        for (String queue : Arrays.asList(null, "", "q".repeat(101), "a b", "{q}", "a:b", "a/b", "caf\u00e9",
                "\u0661")) {
            assertThatIllegalArgumentException().isThrownBy(() -> TaskDeclarations.checkQueueName(queue))
                    .withMessageContaining("1 to 100 letters, digits or . _ - characters");
        }
    }
}
