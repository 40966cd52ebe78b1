package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TimesTest {
  static final Instant T = Instant.parse("2026-11-27T13:14:15Z");
  static final Instant T_MINUTE = Instant.parse("2026-11-27T13:14:00Z");

  @Test
  void reads_each_listing_layout_with_and_without_seconds() {
    assertThat(Times.listing("27-Nov-2026 13:14")).isEqualTo(T_MINUTE);
    assertThat(Times.listing("27-Nov-2026 13:14:15")).isEqualTo(T);
    assertThat(Times.listing("2026-11-27 13:14")).isEqualTo(T_MINUTE);
    assertThat(Times.listing("2026-11-27 13:14:15")).isEqualTo(T);
    assertThat(Times.listing("2026-Nov-27 13:14")).isEqualTo(T_MINUTE);
    assertThat(Times.listing("2026-NOV-27 13:14:15")).isEqualTo(T);
    assertThat(Times.hasSeconds("27-Nov-2026 13:14")).isFalse();
    assertThat(Times.hasSeconds("2026-11-27 13:14:15")).isTrue();
  }

  @Test
  void leaves_anything_else_to_the_formatters() {
    assertThat(Times.listing("27-Nox-2026 13:14")).isNull();
    assertThat(Times.listing("31-Feb-2026 13:14")).isNull();
    assertThat(Times.listing("2026-11-27 25:14")).isNull();
    assertThat(Times.listing("2026-11-27T13:14")).isNull();
    assertThat(Times.listing("12:30")).isNull();
    assertThat(Times.listing("2026-11-27 13:14:1")).isNull();
    assertThat(Times.listing("1.2K 13:14 a b c d")).isNull();
    assertThat(Times.httpDate("Fri, 27 Nov 2026 13:14:15 +0000")).isNull();
    assertThat(Times.httpDate("Friday, 27-Nov-26 13:14:15 GMT")).isNull();
    assertThat(Times.httpDate("Fri, 7 Nov 2026 13:14:15 GMT")).isNull();
  }

  @Test
  void reads_an_http_date() {
    assertThat(Times.httpDate("Fri, 27 Nov 2026 13:14:15 GMT")).isEqualTo(T);
    assertThat(HttpFetcher.parseHttpDate("Fri, 27 Nov 2026 13:14:15 GMT")).isEqualTo(T);
    // the formatter still reads what the fast path does not
    assertThat(HttpFetcher.parseHttpDate("Fri, 27 Nov 2026 14:14:15 +0100")).isEqualTo(T);
  }

  @Test
  void agrees_with_the_formatters_over_every_day_of_a_leap_year() {
    DateTimeFormatter nginx = formatter("dd-MMM-yyyy HH:mm");
    DateTimeFormatter apache = formatter("yyyy-MM-dd HH:mm:ss");
    DateTimeFormatter lighttpd = formatter("yyyy-MMM-dd HH:mm:ss");
    for (LocalDateTime d = LocalDateTime.of(2024, 1, 1, 0, 0, 59);
        d.getYear() == 2024;
        d = d.plusDays(1).plusMinutes(37)) {
      Instant seconds = d.toInstant(ZoneOffset.UTC);
      Instant minutes = d.withSecond(0).toInstant(ZoneOffset.UTC);
      assertThat(Times.listing(nginx.format(d))).isEqualTo(minutes);
      assertThat(Times.listing(apache.format(d))).isEqualTo(seconds);
      assertThat(Times.listing(lighttpd.format(d))).isEqualTo(seconds);
      String http = DateTimeFormatter.RFC_1123_DATE_TIME.format(d.atZone(ZoneOffset.UTC));
      if (http.length() == 29) { // days 10-31; RFC 1123 writes days 1-9 with one digit
        assertThat(Times.httpDate(http))
            .isEqualTo(ZonedDateTime.parse(http, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      }
    }
  }

  private static DateTimeFormatter formatter(String pattern) {
    return new DateTimeFormatterBuilder().appendPattern(pattern).toFormatter(Locale.ENGLISH);
  }
}
