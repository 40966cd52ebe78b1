package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReservedNamesAndPortsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {" ", "a/ /b", "a/   ", ".syncjobs-backend", ".syncjobs", "a/.syncjobs-tmp-x"})
  void a_blank_or_reserved_folder_name_is_refused_for_a_new_destination(String path) {
    assertThat(new Destination("default", path).refusal()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"mirrors/debian", " leading space", "a/.hidden", "a/syncjobs", "x.syncjobs"})
  void ordinary_folder_names_are_fine(String path) {
    assertThat(new Destination("default", path).refusal()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"http://h:65536/", "https://h:0/", "rsync://h:70000/m/p", "ssh://u@h:99999/p"})
  void a_port_outside_1_to_65535_is_refused(String url) {
    assertThatThrownBy(() -> Source.parse(url))
        .isInstanceOf(ValidationException.class)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errors())
                    .extracting(FieldError::field)
                    .containsExactly("source_url"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://h:1/", "https://h:65535/x", "rsync://h/m/p", "ssh://u@h:22/p"})
  void a_port_inside_the_range_or_none_is_fine(String url) {
    assertThat(Source.parse(url).uri().toString()).isEqualTo(url);
  }
}
