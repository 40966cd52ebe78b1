package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelValidationTest {

  @ParameterizedTest
  @CsvSource({
    "/isos/, isos",
    "a/b/c, a/b/c",
    "//a//b//, a/b",
    "./a/./b, a/b",
  })
  void destination_paths_are_normalised(String raw, String expected) {
    assertThat(new Destination("default", raw).path()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/", "//", "a/../b", "..", "a\\b", "a\tb", "a\u0000b"})
  void bad_destination_paths_are_rejected_naming_the_field(String raw) {
    assertThatThrownBy(() -> new Destination("default", raw))
        .isInstanceOf(ValidationException.class)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errors())
                    .extracting(FieldError::field)
                    .containsExactly("destination_path"));
  }

  @Test
  void overlong_destination_path_is_rejected() {
    assertThatThrownBy(() -> new Destination("default", "a".repeat(501)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("500");
  }

  @Test
  void destinations_overlap_when_equal_inside_or_around_each_other() {
    Destination isos = new Destination("default", "mirrors/isos");
    assertThat(isos.overlaps(new Destination("default", "mirrors/isos"))).isTrue();
    assertThat(isos.overlaps(new Destination("default", "mirrors/isos/old"))).isTrue();
    assertThat(isos.overlaps(new Destination("default", "mirrors"))).isTrue();
    assertThat(isos.overlaps(new Destination("default", "mirrors/isos2"))).isFalse();
    assertThat(isos.overlaps(new Destination("other", "mirrors/isos"))).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "https://mirror.example/debian/, Http",
    "http://10.0.0.1:8080/file.iso, Http",
    "rsync://mirror.example/debian/dists, Rsync",
    "rsync://mirror.example:8873/module, Rsync",
    "ssh://backup@nas.example:2222/srv/data, Ssh",
    "file:///srv/data, Local",
  })
  void sources_are_recognised_by_scheme(String url, String kind) {
    assertThat(Source.parse(url).getClass().getSimpleName()).isEqualTo(kind);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "ftp://host/x",
        "https://user:pw@host/x",
        "https://host/x?token=1",
        "rsync://host",
        "rsync://user@host/m",
        "ssh://user:pw@host/x",
        "ssh://host",
        "file://host/x",
        "file:relative",
        "file:///a/../etc",
        "not a url",
        "http:///nohost"
      })
  void bad_source_urls_are_rejected_naming_the_field(String url) {
    assertThatThrownBy(() -> Source.parse(url))
        .isInstanceOf(ValidationException.class)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errors())
                    .extracting(FieldError::field)
                    .containsOnly("source_url"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "-abc", "abc-", "a b c", "abc_d", "ä-abc"})
  void bad_job_names_are_rejected(String name) {
    assertThatThrownBy(
            () ->
                Job.builder(
                        new JobId(java.util.UUID.randomUUID()),
                        name,
                        Source.parse("file:///srv"),
                        new Destination("default", "x"))
                    .build())
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("name");
  }

  @Test
  void job_options_name_every_bad_field() {
    assertThatThrownBy(() -> new JobOptions(true, false, true, 101, 11, 0L, -1))
        .isInstanceOf(ValidationException.class)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errors())
                    .extracting(FieldError::field)
                    .containsExactly(
                        "max_delete_percent", "keep_versions", "bandwidth_limit", "max_retries"));
  }

  @Test
  void credentials_must_fit_the_source_and_are_never_printed() {
    SourceAuth auth = new SourceAuth(SourceAuth.Type.BASIC, "u", "secret-pw", null, null, null);
    assertThat(auth.toString()).doesNotContain("secret-pw");
    assertThatThrownBy(
            () ->
                Job.builder(
                        new JobId(java.util.UUID.randomUUID()),
                        "abc",
                        Source.parse("rsync://h/m"),
                        new Destination("default", "x"))
                    .auth(auth)
                    .build())
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("source_auth.type");
  }

  @Test
  void schedules_require_their_fields() {
    assertThatThrownBy(() -> new Schedule.Daily(null)).hasMessageContaining("schedule_time");
    assertThatThrownBy(() -> new Schedule.Weekly(7, java.time.LocalTime.NOON))
        .hasMessageContaining("schedule_day");
    assertThatThrownBy(() -> new Schedule.Monthly(0, java.time.LocalTime.NOON))
        .hasMessageContaining("schedule_day");
    assertThatThrownBy(() -> new Schedule.Cron(" ")).hasMessageContaining("cron_expression");
  }

  @Test
  void filter_rules_parse_plus_and_minus() {
    assertThat(FilterRule.parse("+ *.iso")).isEqualTo(new FilterRule(true, "*.iso"));
    assertThat(FilterRule.parse("- tmp/")).isEqualTo(new FilterRule(false, "tmp/"));
    assertThatThrownBy(() -> FilterRule.parse("* foo")).hasMessageContaining("filters");
    assertThatThrownBy(() -> FilterRule.parse("+foo")).hasMessageContaining("filters");
    assertThat(List.of(FilterRule.parse("- *.tmp")).get(0).toString()).isEqualTo("- *.tmp");
  }
}
