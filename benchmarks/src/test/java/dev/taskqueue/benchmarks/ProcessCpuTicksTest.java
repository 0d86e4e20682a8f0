package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reads the CPU counters out of real {@code /proc/<pid>/stat} lines. */
class ProcessCpuTicksTest {

    /** A Linux machine's process 1, from /proc/1/stat: utime 2638, stime 16422, cutime 3700094, cstime 335165. */
    private static final String INIT = "1 (process_api) S 0 0 0 0 -1 4194560 208527 353236909 0 21060 2638 16422 "
            + "3700094 335165 10 -10 16 0 25 46989312 3039 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 "
            + "0 0 0 0 0 0 0 0 0 0 0 0\n";

    @Test
    void readsOwnAndWaitedForChildrensTicks() {
        ProcessCpuTicks ticks = ProcessCpuTicks.parse(INIT);

        assertThat(ticks.user()).isEqualTo(2638);
        assertThat(ticks.system()).isEqualTo(16422);
        assertThat(ticks.reapedChildren()).isEqualTo(3700094 + 335165);
        assertThat(ticks.own()).isEqualTo(2638 + 16422);
        assertThat(ticks.withReapedChildren()).isEqualTo(2638 + 16422 + 3700094 + 335165);
    }

    @Test
    void countsFieldsFromTheLastParenthesisSoACommandNameWithSpacesAndParenthesesDoesNotShiftThem() {
        // A process may name itself anything, "tmux: server" or "a) b (c": the kernel does not escape it.
        ProcessCpuTicks ticks = ProcessCpuTicks.parse(INIT.replace("(process_api)", "(a) b (c d)"));

        assertThat(ticks.own()).isEqualTo(2638 + 16422);
        assertThat(ticks.reapedChildren()).isEqualTo(3700094 + 335165);
    }

    @Test
    void convertsTicksAtOneHundredPerSecond() {
        assertThat(ProcessCpuTicks.ticksToNanos(150)).isEqualTo(1_500_000_000L);
    }
}
