package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FiltersTest {

  private static Filters rules(String... rules) {
    return Filters.of(List.of(rules).stream().map(FilterRule::parse).toList(), null, null);
  }

  @ParameterizedTest
  @CsvSource({
    "'- *.tmp', a.tmp, false, false",
    "'- *.tmp', dir/a.tmp, false, false",
    "'- *.tmp', a.tmpx, false, true",
    "'- /top.txt', top.txt, false, false",
    "'- /top.txt', sub/top.txt, false, true",
    "'- cache/', cache, true, false",
    "'- cache/', cache, false, true",
    "'- a/b', x/a/b, false, false",
    "'- a/b', xa/b, false, true",
    "'- **/old/*', p/q/old/f, false, false",
    "'- file?.txt', file1.txt, false, false",
    "'- file?.txt', file10.txt, false, true",
    "'- [ab].txt', b.txt, false, false",
    "'- [!ab].txt', b.txt, false, true",
  })
  void rsync_glob_semantics(String rule, String path, boolean dir, boolean included) {
    assertThat(rules(rule).includes(path, dir)).isEqualTo(included);
  }

  @Test
  void first_matching_rule_wins() {
    Filters f = rules("- *.tmp", "+ */", "+ *.iso", "- *");
    assertThat(f.includes("debian/x.iso", false)).isTrue();
    assertThat(f.includes("debian", true)).isTrue();
    assertThat(f.includes("debian/x.tmp", false)).isFalse();
    assertThat(f.includes("readme.txt", false)).isFalse();
  }

  @Test
  void include_and_exclude_patterns_fold_in_after_the_filters_with_exclude_winning() {
    Filters f = Filters.of(List.of(), "*.iso", "*beta*");
    assertThat(f.rules())
        .extracting(FilterRule::toString)
        .containsExactly("- *beta*", "+ */", "+ *.iso", "- *");
    assertThat(f.includes("a/stable.iso", false)).isTrue();
    assertThat(f.includes("a/beta.iso", false)).isFalse();
    assertThat(f.includes("a/notes.txt", false)).isFalse();
  }

  @Test
  void no_rules_include_everything() {
    assertThat(Filters.none().includes("anything/at/all", false)).isTrue();
  }
}
