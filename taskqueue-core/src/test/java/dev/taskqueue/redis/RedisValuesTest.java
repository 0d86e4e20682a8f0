package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Counts as taskqueue writes them (digits only), read back whatever else wrote them; stream entry ids in order. */
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

    @Test
    void entryIdsSortByTimeThenSequenceAsNumbers() {
        List<String> ids = new ArrayList<>(List.of("10-0", "9-10", "1700000000000-2", "9-1", "9-2",
                "1700000000000-10"));
        ids.sort(RedisValues.ENTRY_ORDER);
        assertThat(ids).containsExactly("9-1", "9-2", "9-10", "10-0", "1700000000000-2", "1700000000000-10");
        assertThat(RedisValues.ENTRY_ORDER.compare("5", "5-0")).isZero();
        assertThat(RedisValues.ENTRY_ORDER.compare("x-1", "0-1")).isZero();
    }
}
