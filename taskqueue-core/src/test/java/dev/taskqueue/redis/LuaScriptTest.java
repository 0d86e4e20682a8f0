package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A script carries the shared helpers it names, those they name in turn, and no others. */
class LuaScriptTest {

    @Test
    void aScriptCarriesTheHelpersItNamesAndTheirs() {
        String helpers = LuaScript.helpersFor("add_ready(KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0', false)");

        assertThat(helpers).contains("local function add_ready(", "local function ready_stream(")
                .doesNotContain("now_ms", "read_count", "MAX_COUNT", "wake_waiters");
        assertThat(helpers.indexOf("local function ready_stream(")).isLessThan(helpers.indexOf("add_ready("));
    }

    @Test
    void aHelperNamedOnlyByAnotherHelperComesFirst() {
        String helpers = LuaScript.helpersFor("notify_waiters(KEYS[1], ARGV[1], ARGV[2]) return read_count(ARGV[3])");

        assertThat(helpers).startsWith("local MAX_COUNT = ");
        assertThat(helpers.indexOf("local function wake_waiters(")).isLessThan(
                helpers.indexOf("local function notify_waiters("));
        assertThat(LuaScript.helpersFor("return 1")).isEmpty();
    }
}
