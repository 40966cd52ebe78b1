package dev.syncjobs.app.web;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.syncjobs.core.model.ValidationException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The one JSON configuration of the API: strict reading, ISO-8601 times, no nulls dropped. */
final class Json {
  private Json() {}

  static final ObjectMapper MAPPER = create();

  private static ObjectMapper create() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(
                new SimpleModule()
                    .addSerializer(
                        Instant.class,
                        new StdSerializer<>(Instant.class) {
                          @Override
                          public void serialize(
                              Instant value, JsonGenerator gen, SerializerProvider provider)
                              throws IOException {
                            gen.writeString(instantText(value));
                          }
                        }))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(32)
                .maxNumberLength(40)
                .maxStringLength(256 * 1024)
                .build());
    return mapper;
  }

  /**
   * The request body as a JSON object.
   *
   * @throws ValidationException (field {@code body}) for anything else
   */
  static ObjectNode object(Context ctx) {
    // read once: the audit trail looks at a request's fields before its handler does
    ObjectNode read = ctx.attribute(BODY);
    if (read != null) {
      return read;
    }
    ObjectNode node = parseObject(ctx);
    ctx.attribute(BODY, node);
    return node;
  }

  private static final String BODY = "syncjobs.body";

  private static ObjectNode parseObject(Context ctx) {
    String type = ctx.contentType();
    if (!isJson(type)) {
      throw new ApiProblem(
          415,
          "Unsupported Media Type",
          type == null
              ? "send the body with Content-Type: application/json"
              : "send the body as application/json (got " + type + ")");
    }
    String body = boundedBody(ctx);
    if (body.isBlank()) {
      throw new ValidationException("body", "a JSON object is required");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ValidationException("body", "is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * Whether a Content-Type names JSON: {@code application/json} or a {@code +json} type, with any
   * parameters. A missing type is not JSON: a client that does not say what it sends is refused
   * rather than guessed.
   */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String media =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return media.equals("application/json")
        || (media.startsWith("application/") && media.endsWith("+json"));
  }

  /**
   * The body, read up to {@link SyncServer#MAX_BODY_BYTES}; a longer one (also when sent chunked,
   * without a Content-Length) is a 413.
   */
  private static String boundedBody(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes((int) SyncServer.MAX_BODY_BYTES + 1);
      if (bytes.length > SyncServer.MAX_BODY_BYTES) {
        throw new ApiProblem(
            413,
            "Content Too Large",
            "the request body is larger than " + SyncServer.MAX_BODY_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ValidationException("body", "could not be read: " + e.getMessage());
    }
  }

  /** An instant as the API writes it: ISO-8601 in UTC, to the millisecond. */
  static String instantText(Instant value) {
    return DateTimeFormatter.ISO_INSTANT.format(value.truncatedTo(ChronoUnit.MILLIS));
  }

  /** {@code value} as UTF-8 JSON: a large answer without the copy a String would make. */
  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
