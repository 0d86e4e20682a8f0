package dev.taskqueue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

class CronExpressionTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static Instant at(String local, ZoneId zone) {
        return java.time.LocalDateTime.parse(local).atZone(zone).toInstant();
    }

    @Test
    void sixFieldsWithSecondsAndFiveWithout() {
        Instant from = at("2026-11-23T10:15:30", ZoneOffset.UTC);
        assertThat(CronExpression.parse("*/10 * * * * *").next(from, ZoneOffset.UTC))
                .isEqualTo(at("2026-11-23T10:15:40", ZoneOffset.UTC));
        assertThat(CronExpression.parse("0 * * * *").next(from, ZoneOffset.UTC))
                .isEqualTo(at("2026-11-23T11:00:00", ZoneOffset.UTC));
        assertThat(CronExpression.parse("@daily").next(from, ZoneOffset.UTC))
                .isEqualTo(at("2026-11-24T00:00:00", ZoneOffset.UTC));
    }

    @Test
    void namedDaysAndMonthsRangesAndLists() {
        CronExpression weekdays = CronExpression.parse("0 30 9 * * MON-FRI");
        // 2026-11-27 is a Friday: the next run after Friday 10:00 is Monday
        assertThat(weekdays.next(at("2026-11-27T10:00:00", PARIS), PARIS)).isEqualTo(at("2026-11-30T09:30:00", PARIS));
        assertThat(CronExpression.parse("0 0 12 1,15 JAN,JUL *").next(at("2026-11-23T00:00:00", PARIS), PARIS))
                .isEqualTo(at("2027-01-01T12:00:00", PARIS));
    }

    @Test
    void eitherDayFieldMatchesWhenBothAreRestricted() {
        // the 13th, or any Friday (Unix cron)
        CronExpression expression = CronExpression.parse("0 0 0 13 * FRI");
        assertThat(expression.next(at("2026-11-23T00:00:00", ZoneOffset.UTC), ZoneOffset.UTC))
                .isEqualTo(at("2026-11-27T00:00:00", ZoneOffset.UTC));
    }

    @Test
    void theZoneDecidesTheInstant() {
        CronExpression nineAm = CronExpression.parse("0 0 9 * * *");
        Instant from = at("2026-11-23T00:00:00", ZoneOffset.UTC);
        assertThat(nineAm.next(from, PARIS)).isEqualTo(at("2026-11-23T08:00:00", ZoneOffset.UTC));
        assertThat(nineAm.next(from, ZoneId.of("America/New_York"))).isEqualTo(at("2026-11-23T14:00:00",
                ZoneOffset.UTC));
    }

    @Test
    void aTimeSkippedByDaylightSavingRunsLaterAndARepeatedOneRunsOnce() {
        CronExpression twoThirty = CronExpression.parse("0 30 2 * * *");
        // 2027-03-28: Paris skips from 02:00 to 03:00
        Instant spring = twoThirty.next(at("2027-03-28T00:00:00", PARIS), PARIS);
        assertThat(ZonedDateTime.ofInstant(spring, PARIS).toLocalTime().toString()).isEqualTo("03:30");
        // 2026-10-25: Paris repeats 02:00-03:00; 02:30 runs once
        Instant first = twoThirty.next(at("2026-10-25T00:00:00", PARIS), PARIS);
        Instant second = twoThirty.next(first, PARIS);
        assertThat(Duration.between(first, second)).isGreaterThan(Duration.ofHours(23));
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> CronExpression.parse("* * *")).hasMessageContaining("6 fields");
        assertThatThrownBy(() -> CronExpression.parse("0 61 * * * *")).hasMessageContaining("MinuteOfHour")
                .hasMessageContaining("61");
        assertThatThrownBy(() -> CronExpression.parse("0 0 * * * FUNDAY")).hasMessageContaining("'FUNDAY'");
        assertThatThrownBy(() -> CronExpression.parse("0 0 5-2 * * *")).hasMessageContaining("5-2");
    }

    @Test
    void triggersFindTheLatestTickAtOrBeforeAnInstant() {
        Trigger everyTen = Trigger.fixedRate(Duration.ofSeconds(10), Instant.EPOCH);
        Instant t = at("2026-11-23T10:15:37", ZoneOffset.UTC);
        assertThat(everyTen.latestAtOrBefore(t)).isEqualTo(at("2026-11-23T10:15:30", ZoneOffset.UTC));
        assertThat(everyTen.next(t)).isEqualTo(at("2026-11-23T10:15:40", ZoneOffset.UTC));
        assertThat(everyTen.next(at("2026-11-23T10:15:40", ZoneOffset.UTC)))
                .isEqualTo(at("2026-11-23T10:15:50", ZoneOffset.UTC));
        Trigger daily = Trigger.cron("0 0 2 * * *", PARIS);
        assertThat(daily.latestAtOrBefore(at("2026-11-23T01:00:00", PARIS))).isEqualTo(at("2026-11-22T02:00:00", PARIS));
        assertThat(Trigger.cron("0 0 0 29 2 *", ZoneOffset.UTC).latestAtOrBefore(t))
                .isEqualTo(at("2024-02-29T00:00:00", ZoneOffset.UTC));
    }
}
