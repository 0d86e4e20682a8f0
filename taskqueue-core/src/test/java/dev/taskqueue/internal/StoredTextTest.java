package dev.taskqueue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import dev.taskqueue.testing.SharedRedis;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Texts cut to a number of UTF-8 bytes, in Java and in the scripts' Lua alike. */
class StoredTextTest {

    @Test
    void aTextThatFitsIsKeptAsItIs() {
        assertThat(StoredText.cut("disk full", 9)).isEqualTo("disk full");
        assertThat(StoredText.cut("é".repeat(10), 20)).isEqualTo("é".repeat(10));
    }

    @Test
    void aCutTextKeepsItsStartAndSaysHowLongItWasWithinTheBound() {
        String cut = StoredText.cut("x".repeat(1000), 100);

        assertThat(cut).isEqualTo("x".repeat(72) + "\u2026 [cut: 1000 bytes in all]");
        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(100);
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String cut = StoredText.cut("\uD83D\uDE00".repeat(100), 50); // 4 bytes each

        assertThat(cut).isEqualTo("\uD83D\uDE00".repeat(5) + "\u2026 [cut: 400 bytes in all]");
        assertThat(StoredText.utf8Length(cut)).isEqualTo(cut.getBytes(StandardCharsets.UTF_8).length).isEqualTo(47);
    }

    @Test
    void aBoundSmallerThanTheMarkerKeepsTheMarker() {
        assertThat(StoredText.cut("x".repeat(1000), 3)).isEqualTo("\u2026 [cut: 1000 bytes in all]");
    }

    @ParameterizedTest
    @CsvSource({ "x, 1000, 100", "é, 1000, 101", "€, 333, 64", "x, 10, 10", "a\u00e9\u20ac, 50, 80" })
    void luaCutsAsJavaDoes(String unit, int repeat, int maxBytes) {
        String text = unit.repeat(repeat);
        try (StatefulRedisConnection<byte[], byte[]> redis = SharedRedis.client().connect(ByteArrayCodec.INSTANCE)) {
            byte[] cutInLua = redis.sync().eval(StoredText.LUA_CUT + "return cut(ARGV[1], tonumber(ARGV[2]))",
                    ScriptOutputType.VALUE, new byte[0][], text.getBytes(StandardCharsets.UTF_8),
                    Integer.toString(maxBytes).getBytes(StandardCharsets.UTF_8));

            assertThat(new String(cutInLua, StandardCharsets.UTF_8)).isEqualTo(StoredText.cut(text, maxBytes));
        }
    }
}
