package dev.syncjobs.app.web;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A list answer, {@code {"data": [...], "total": N}}, written field by field straight to the
 * response: a list of thousands of jobs needs neither a map per item nor the whole answer in
 * memory. Values are written as {@link Json#MAPPER} writes them.
 *
 * <p>Not into a buffer first: the answer for 10,000 jobs is 8 MB, an array too large for the young
 * generation, and allocating it (and its copy) made the collector run a full collection for every
 * list request.
 */
final class JsonStream {
  private JsonStream() {}

  /** How one item hands its fields, in order, to the writer. */
  interface View<T> {
    void fields(T item, BiConsumer<String, Object> out);
  }

  /** Writes the answer to {@code out}, flushed and left open. */
  static <T> void list(OutputStream out, List<T> items, long total, View<T> view) {
    try (JsonGenerator g =
        Json.MAPPER
            .getFactory()
            .createGenerator(out)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      BiConsumer<String, Object> field =
          (name, value) -> {
            try {
              g.writeFieldName(name);
              value(g, value);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          };
      g.writeStartObject();
      g.writeArrayFieldStart("data");
      for (T item : items) {
        g.writeStartObject();
        view.fields(item, field);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("total", total);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
  }

  private static void value(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer i) {
      g.writeNumber(i);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Instant t) {
      g.writeString(Json.instantText(t));
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object v : list) {
        value(g, v);
      }
      g.writeEndArray();
    } else if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        value(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      Json.MAPPER.writeValue(g, value);
    }
  }
}
