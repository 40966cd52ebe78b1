package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
  record Item(String name, CompletableFuture<String> done) implements GroupCommit.Item<String> {
    Item(String name) {
      this(name, new CompletableFuture<>());
    }
  }

  final List<List<String>> groups = new CopyOnWriteArrayList<>();

  private List<String> record(List<Item> group) {
    List<String> names = group.stream().map(Item::name).toList();
    groups.add(names);
    if (group.size() > 1 && names.contains("bad")) {
      throw new IllegalStateException("the group has a bad item");
    }
    if (names.equals(List.of("bad"))) {
      throw new IllegalArgumentException("bad alone");
    }
    return names.stream().map(n -> n + " written").toList();
  }

  @Test
  void items_submitted_together_are_written_as_one_group_each_getting_its_result() {
    GroupCommit<Item, String> commit =
        new GroupCommit<>("test-writer", q -> GroupCommit.first(q, 10), this::record);
    List<Item> items = List.of(new Item("a"), new Item("b"), new Item("c"));

    commit.submit(items);

    assertThat(items.stream().map(i -> i.done().join()).toList())
        .containsExactly("a written", "b written", "c written");
    assertThat(groups).containsExactly(List.of("a", "b", "c"));
  }

  @Test
  void a_group_is_at_most_what_take_returns_and_the_rest_follows_in_order() {
    GroupCommit<Item, String> commit =
        new GroupCommit<>("test-writer", q -> GroupCommit.first(q, 2), this::record);
    List<Item> items = new ArrayList<>();
    for (String n : List.of("a", "b", "c", "d", "e")) {
      items.add(new Item(n));
    }

    commit.submit(items);
    items.forEach(i -> i.done().join());

    assertThat(groups).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
  }

  @Test
  void when_a_group_fails_each_item_is_written_alone_and_only_the_bad_one_fails() {
    GroupCommit<Item, String> commit =
        new GroupCommit<>("test-writer", q -> GroupCommit.first(q, 10), this::record);
    Item a = new Item("a");
    Item bad = new Item("bad");
    Item c = new Item("c");

    commit.submit(List.of(a, bad, c));

    assertThat(a.done().join()).isEqualTo("a written");
    assertThat(c.done().join()).isEqualTo("c written");
    assertThatThrownBy(() -> bad.done().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(groups)
        .containsExactly(List.of("a", "bad", "c"), List.of("a"), List.of("bad"), List.of("c"));
  }

  @Test
  void an_error_in_the_writer_fails_every_waiting_item_and_the_next_submission_starts_a_writer() {
    List<String> seen = new CopyOnWriteArrayList<>();
    GroupCommit<Item, String> commit =
        new GroupCommit<>(
            "test-writer",
            q -> GroupCommit.first(q, 10),
            group -> {
              seen.add(group.get(0).name());
              if (group.get(0).name().equals("fatal")) {
                throw new AssertionError("not an exception a write is expected to throw");
              }
              return group.stream().map(i -> i.name() + " written").toList();
            });
    Item fatal = new Item("fatal");
    Item other = new Item("other");

    commit.submit(List.of(fatal, other));

    assertThatThrownBy(() -> fatal.done().join()).hasCauseInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> other.done().join()).hasCauseInstanceOf(AssertionError.class);
    Item later = new Item("later");
    commit.submit(List.of(later));
    assertThat(later.done().join()).isEqualTo("later written");
  }
}
