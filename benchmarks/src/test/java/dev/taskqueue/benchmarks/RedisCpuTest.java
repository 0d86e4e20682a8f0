package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Reads {@code INFO cpu} and {@code INFO commandstats} as Redis 7.0.15 writes them (CRLF line ends), and gives the
 * work of a stretch per task.
 */
class RedisCpuTest {

    private static final String CPU_BEFORE = "# CPU\r\nused_cpu_sys:0.004018\r\nused_cpu_user:0.000000\r\n"
            + "used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n"
            + "used_cpu_sys_main_thread:0.003914\r\nused_cpu_user_main_thread:0.000000\r\n";

    private static final String STATS_BEFORE = "# Commandstats\r\n"
            + "cmdstat_eval:calls=1,usec=97,usec_per_call=97.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_lpush:calls=1,usec=11,usec_per_call=11.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_script|load:calls=1,usec=24,usec_per_call=24.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_evalsha:calls=1,usec=19,usec_per_call=19.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_info:calls=1,usec=25,usec_per_call=25.00,rejected_calls=0,failed_calls=0\r\n";

    private static final String CPU_AFTER = "# CPU\r\nused_cpu_sys:1.204018\r\nused_cpu_user:2.500000\r\n"
            + "used_cpu_sys_children:0.100000\r\nused_cpu_user_children:0.200000\r\n"
            + "used_cpu_sys_main_thread:1.103914\r\nused_cpu_user_main_thread:2.400000\r\n";

    private static final String STATS_AFTER = "# Commandstats\r\n"
            + "cmdstat_eval:calls=1,usec=97,usec_per_call=97.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_lpush:calls=1,usec=11,usec_per_call=11.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_script|load:calls=1,usec=24,usec_per_call=24.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_evalsha:calls=1001,usec=3000019,usec_per_call=2997.02,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_info:calls=3,usec=75,usec_per_call=25.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_xreadgroup:calls=500,usec=400000,usec_per_call=800.00,rejected_calls=0,failed_calls=0\r\n";

    @Test
    void addsUserAndSystemTimeOfTheProcessAndItsChildrenButNotTheMainThreadAgain() {
        RedisCpu cpu = RedisCpu.parse(CPU_AFTER, STATS_AFTER);

        assertThat(cpu.seconds()).isCloseTo(1.204018 + 2.5 + 0.1 + 0.2, within(1e-9));
    }

    @Test
    void readsEachCommandFamilysCallsAndMicroseconds() {
        RedisCpu cpu = RedisCpu.parse(CPU_BEFORE, STATS_BEFORE);

        assertThat(cpu.commands()).containsKeys("eval", "lpush", "script|load", "evalsha", "info");
        assertThat(cpu.commands().get("script|load")).isEqualTo(new RedisCpu.Command(1, 24));
        assertThat(cpu.commands().get("eval")).isEqualTo(new RedisCpu.Command(1, 97));
    }

    @Test
    void theWorkOfAStretchIsTheDifferenceAndLeavesOutCommandsNotCalledMeanwhile() {
        RedisCpu used = RedisCpu.parse(CPU_AFTER, STATS_AFTER).since(RedisCpu.parse(CPU_BEFORE, STATS_BEFORE));

        assertThat(used.seconds()).isCloseTo(1.2 + 2.5 + 0.3, within(1e-9));
        assertThat(used.commands()).containsOnlyKeys("evalsha", "info", "xreadgroup");
        assertThat(used.commands().get("evalsha")).isEqualTo(new RedisCpu.Command(1000, 3_000_000));
        assertThat(used.commands().get("xreadgroup")).isEqualTo(new RedisCpu.Command(500, 400_000));
    }

    @Test
    void perTaskNamesTheCostliestCommandsFirst() {
        RedisCpu used = RedisCpu.parse(CPU_AFTER, STATS_AFTER).since(RedisCpu.parse(CPU_BEFORE, STATS_BEFORE));

        CpuPerTask perTask = CpuPerTask.of(1_000_000, 7_200_000_000L, used);

        assertThat(perTask.jvmMicros()).isCloseTo(7.2, within(1e-9));
        assertThat(perTask.redisMicros()).isCloseTo(4.0, within(1e-9));
        assertThat(perTask.redisCommands()).containsKeys("evalsha", "xreadgroup", "info");
        assertThat(perTask.redisCommands().keySet()).first().isEqualTo("evalsha");
        assertThat(perTask.redisCommands().get("evalsha")).isEqualTo(new CpuPerTask.Command(3.0, 0.001));
        assertThat(perTask.describe()).isEqualTo("JVM 7.2 us/task; Redis 4.0 us/task; in commands (wall clock): "
                + "EVALSHA 3.00 us (0.001 calls), XREADGROUP 0.40 us (0.001 calls), INFO 0.00 us (0.000 calls) "
                + "(1,000,000 tasks)");
    }

    @Test
    void unknownCpuSaysNotAvailable() {
        assertThat(CpuPerTask.of(10, null, null).describe()).isEqualTo("JVM n/a us/task; Redis n/a us/task (10 tasks)");
    }
}
