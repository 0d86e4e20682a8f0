package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Counts as taskqueue writes them (digits only), read back whatever else wrote them. */
class RedisValuesTest {

    @Test
    void aCountIsItsDigitsLeadingZerosOrNot() {
        assertThat(RedisValues.count("0")).isZero();
        assertThat(RedisValues.count("000")).isZero();
        assertThat(RedisValues.count("7")).isEqualTo(7);
        assertThat(RedisValues.count("007")).isEqualTo(7);
        assertThat(RedisValues.count("00000000000000000000042")).isEqualTo(42);
        assertThat(RedisValues.count("1234567890")).isEqualTo(Math.min(1234567890, LuaScript.MAX_COUNT));
    }

    @Test
    void aCountTooLargeReadsAsTheLargestAndAnUnreadableOneAsMinusOne() {
        assertThat(RedisValues.count("99999999999")).isEqualTo(LuaScript.MAX_COUNT);
        assertThat(RedisValues.count("0099999999999999999999999")).isEqualTo(LuaScript.MAX_COUNT);
        assertThat(RedisValues.count(null)).isEqualTo(-1);
        assertThat(RedisValues.count("")).isEqualTo(-1);
        assertThat(RedisValues.count("-1")).isEqualTo(-1);
        assertThat(RedisValues.count("1e3")).isEqualTo(-1);
    }
}
