package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CredentialOriginTest {
  static final ObjectMapper JSON = new ObjectMapper();

  private static Job job(String url, SourceAuth auth) {
    return Job.builder(
            new JobId(UUID.randomUUID()), "job", Source.parse(url), new Destination("default", "d"))
        .auth(auth)
        .build();
  }

  private static Optional<FieldError> check(Job old, String body) throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(body);
    String url =
        node.has("source_url") ? node.get("source_url").asText() : old.source().uri().toString();
    return CredentialOrigin.check(old, node, url);
  }

  static final SourceAuth BASIC = new SourceAuth(SourceAuth.Type.BASIC, "u", "p", null, null, null);

  @Test
  void a_new_origin_without_credentials_is_refused_naming_source_auth() throws Exception {
    Job old = job("https://a.example/pub/", BASIC);
    assertThat(check(old, "{\"source_url\":\"https://b.example/pub/\"}"))
        .hasValueSatisfying(
            e -> {
              assertThat(e.field()).isEqualTo("source_auth");
              assertThat(e.message()).contains("https://a.example:443", "https://b.example:443");
            });
  }

  @Test
  void the_same_origin_sent_credentials_no_credentials_or_a_bad_url_pass() throws Exception {
    Job old = job("https://a.example/pub/", BASIC);
    assertThat(check(old, "{\"source_url\":\"https://A.example:443/other/\"}")).isEmpty();
    assertThat(check(old, "{\"source_url\":\"https://b.example/\",\"source_auth\":null}"))
        .isEmpty();
    assertThat(check(old, "{\"name\":\"renamed\"}")).isEmpty();
    assertThat(check(old, "{\"source_url\":\"ftp://b.example/\"}")).isEmpty();
    assertThat(
            check(job("https://a.example/pub/", null), "{\"source_url\":\"https://b.example/\"}"))
        .isEmpty();
  }
}
