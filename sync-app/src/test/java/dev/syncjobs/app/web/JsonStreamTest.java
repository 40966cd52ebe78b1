package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The jobs list written field by field is byte for byte what the map of each job writes. */
class JsonStreamTest {
  private static final Instant T = Instant.parse("2026-12-04T10:15:30.123456Z");

  @Test
  void a_streamed_list_is_the_same_json_as_the_mapped_one() {
    Job full =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "every-field",
                Source.parse("https://mirror.example.org/pub/\u00e9t\u00e9/"),
                new Destination("archive", "mirrors/full"))
            .auth(new SourceAuth(SourceAuth.Type.BASIC, "alice", "secret", null, null, null))
            .caBundle("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
            .include("*.iso")
            .exclude("*.tmp \"quoted\"")
            .filters(List.of(FilterRule.parse("- /private/"), FilterRule.parse("+ docs/**")))
            .schedule(new Schedule.Cron("*/15 9-17 * * 1-5"))
            .zone(ZoneId.of("Europe/Berlin"))
            .options(new JobOptions(false, true, false, 25, 4, 1_000_000L, 3))
            .enabled(false)
            .misfirePolicy(MisfirePolicy.SKIP)
            .createdAt(T)
            .build()
            .withStatus(JobStatus.FAILED, T.plusSeconds(60), "boom:\n\ttab")
            .withNextRunAt(T.plusSeconds(3600));
    Job bare =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "bare",
                Source.parse("rsync://127.0.0.1/module/"),
                new Destination("default", "bare"))
            .createdAt(T)
            .build();
    List<Job> jobs = List.of(full, bare);
    Map<JobId, Double> averages = Map.of(full.id(), 12.3);

    ByteArrayOutputStream written = new ByteArrayOutputStream();
    JsonStream.list(
        written,
        jobs,
        jobs.size(),
        (j, out) -> JobView.fields(j, "Archive disk", averages.get(j.id()), out));
    byte[] streamed = written.toByteArray();

    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "data",
        jobs.stream().map(j -> JobView.write(j, "Archive disk", averages.get(j.id()))).toList());
    body.put("total", jobs.size());
    assertThat(new String(streamed, StandardCharsets.UTF_8)).isEqualTo(Json.write(body));
    assertThat(new String(streamed, StandardCharsets.UTF_8))
        .contains(
            "\"last_run_at\":\"2026-12-04T10:16:30.123Z\"", "\"average_duration_seconds\":12.3");
  }
}
