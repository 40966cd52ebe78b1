package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RsyncProgressRequestTest {
  @Test
  void rsync_is_asked_for_progress_from_3_2_0_on() {
    assertThat(RsyncProgressRequest.answersSignal("rsync  version 3.5.0  protocol version 32"))
        .isTrue();
    assertThat(RsyncProgressRequest.answersSignal("rsync  version v3.2.0  protocol version 31"))
        .isFalse(); // not how rsync writes it: unknown, so not asked
    assertThat(RsyncProgressRequest.answersSignal("rsync  version 3.2.0  protocol version 31"))
        .isTrue();
    assertThat(RsyncProgressRequest.answersSignal("rsync  version 3.2.7  protocol version 31"))
        .isTrue();
    assertThat(RsyncProgressRequest.answersSignal("rsync version 4.0.0 protocol version 33"))
        .isTrue();
  }

  @Test
  void an_older_or_unknown_rsync_prints_its_progress_itself() {
    // before 3.2.0 rsync dies of SIGVTALRM
    assertThat(RsyncProgressRequest.answersSignal("rsync  version 3.1.3  protocol version 31"))
        .isFalse();
    assertThat(RsyncProgressRequest.answersSignal("openrsync: protocol version 29")).isFalse();
    assertThat(RsyncProgressRequest.answersSignal("")).isFalse();
    assertThat(RsyncProgressRequest.answersSignal(null)).isFalse();
  }
}
