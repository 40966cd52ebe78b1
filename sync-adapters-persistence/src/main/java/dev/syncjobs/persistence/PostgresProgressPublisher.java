package dev.syncjobs.persistence;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.ProgressPublisher;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries progress events and cancel requests between instances that share one PostgreSQL (cluster
 * mode) with LISTEN/NOTIFY.
 *
 * <p>{@link #publish} queues a NOTIFY for the other instances and returns at once (it never blocks;
 * this instance's own subscribers are served by its in-process bus, which the engine publishes to
 * as well). When the queue is full, intermediate progress is dropped, never a final state. A
 * listener thread on a dedicated connection ({@link PostgresListener}) receives the other
 * instances' events and hands them to {@code remoteEvents} (usually the in-process bus, so
 * WebSocket clients on every instance see every run), and passes every cancel request (sent by
 * {@link JdbcRunRepository#requestCancel} in the same transaction as the flag) to the registered
 * cancel listeners, so the owner of a run stops it within moments instead of at its next lease
 * renewal. The listener reconnects after a lost connection. Channels are named after the schema, so
 * one schema is one cluster.
 */
public final class PostgresProgressPublisher implements ProgressPublisher, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresProgressPublisher.class);
  private static final int QUEUE_LIMIT = 10_000;

  /** Encoded characters per text field: a NOTIFY payload must stay under 8000 bytes. */
  private static final int TEXT_LIMIT = 3_000;

  private final Database db;
  private final String origin;
  private final Consumer<ProgressEvent> remoteEvents;
  private final List<Consumer<RunId>> cancelListeners = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<ProgressEvent> outbox = new LinkedBlockingQueue<>();
  private final AtomicLong dropped = new AtomicLong();
  private final String progressChannel;
  private final String cancelChannel;
  private volatile boolean closed;
  private PostgresListener listener;
  private Thread sender;

  private PostgresProgressPublisher(
      Database db, String instanceId, Consumer<ProgressEvent> remoteEvents) {
    this.db = db;
    this.origin = instanceId + "/" + UUID.randomUUID();
    this.remoteEvents = remoteEvents;
    this.progressChannel = db.channel("progress");
    this.cancelChannel = cancelChannel(db);
  }

  /**
   * Starts listening and returns once the listener is subscribed.
   *
   * @param instanceId this instance's id (part of the tag that keeps this publisher's own events
   *     from coming back to it)
   * @param remoteEvents receives the events other instances publish
   * @throws SyncException when the database cannot be reached within 30 seconds
   */
  public static PostgresProgressPublisher start(
      Database db, String instanceId, Consumer<ProgressEvent> remoteEvents) {
    if (!db.isPostgres()) {
      throw new IllegalArgumentException("LISTEN/NOTIFY needs PostgreSQL");
    }
    PostgresProgressPublisher publisher =
        new PostgresProgressPublisher(db, instanceId, remoteEvents);
    publisher.listener =
        PostgresListener.start(
            db,
            "progress",
            List.of(publisher.progressChannel, publisher.cancelChannel),
            notes -> {
              for (PGNotification note : notes) {
                publisher.dispatch(note.getName(), note.getParameter());
              }
            },
            () -> {});
    publisher.sender = new Thread(publisher::send, "syncjobs-pg-notify");
    publisher.sender.setDaemon(true);
    publisher.sender.start();
    return publisher;
  }

  /** Calls {@code listener} with the id of every run some instance asked to cancel. */
  public void onCancelRequested(Consumer<RunId> listener) {
    cancelListeners.add(listener);
  }

  @Override
  public void publish(ProgressEvent event) {
    if (closed) {
      return;
    }
    if (!event.isFinal() && outbox.size() >= QUEUE_LIMIT) {
      dropped.incrementAndGet();
      return;
    }
    outbox.add(event);
  }

  /** Intermediate events not sent to other instances because the queue was full. */
  public long droppedEvents() {
    return dropped.get();
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    listener.close();
    if (sender != Thread.currentThread()) {
      try {
        sender.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static String cancelChannel(Database db) {
    return db.channel("cancel");
  }

  private void deliver(ProgressEvent event) {
    try {
      remoteEvents.accept(event);
    } catch (RuntimeException e) {
      log.warn("a progress subscriber failed", e);
    }
  }

  private void dispatch(String channel, String payload) {
    if (channel.equals(cancelChannel)) {
      RunId id;
      try {
        id = RunId.parse(payload, "run");
      } catch (RuntimeException e) {
        log.warn("ignoring a malformed cancel notification: {}", payload);
        return;
      }
      for (Consumer<RunId> l : cancelListeners) {
        try {
          l.accept(id);
        } catch (RuntimeException e) {
          log.warn("a cancel listener failed", e);
        }
      }
    } else if (channel.equals(progressChannel)) {
      int tab = payload.indexOf('\t');
      if (tab < 0 || payload.substring(0, tab).equals(encode(origin))) {
        return;
      }
      try {
        deliver(decode(payload.substring(tab + 1)));
      } catch (RuntimeException e) {
        log.warn("ignoring a malformed progress notification", e);
      }
    }
  }

  private void send() {
    List<ProgressEvent> batch = new ArrayList<>();
    while (!closed || !outbox.isEmpty()) {
      try {
        ProgressEvent first = outbox.poll(500, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        batch.add(first);
        outbox.drainTo(batch, 199);
        sendBatch(batch);
      } catch (InterruptedException e) {
        if (closed) {
          drainOnClose(batch);
          return;
        }
      } catch (RuntimeException e) {
        log.warn("could not NOTIFY {} progress events: {}", batch.size(), e.getMessage());
      } finally {
        batch.clear();
      }
    }
  }

  private void drainOnClose(List<ProgressEvent> batch) {
    batch.clear();
    outbox.drainTo(batch);
    batch.removeIf(e -> !e.isFinal());
    if (!batch.isEmpty()) {
      try {
        sendBatch(batch);
      } catch (RuntimeException e) {
        log.warn("could not NOTIFY final states on close: {}", e.getMessage());
      }
    }
  }

  private void sendBatch(List<ProgressEvent> batch) {
    try {
      notify(batch);
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        throw e;
      }
      for (ProgressEvent event : batch) {
        try {
          notify(List.of(event));
        } catch (RuntimeException single) {
          log.warn(
              "could not NOTIFY a progress event of run {}: {}",
              event.runId(),
              single.getMessage());
        }
      }
    }
  }

  private void notify(List<ProgressEvent> batch) {
    db.transaction(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (ProgressEvent event : batch) {
              ps.setString(1, progressChannel);
              ps.setString(2, encode(origin) + "\t" + encode(event));
              ps.execute();
            }
          }
          return null;
        });
  }

  static String encode(ProgressEvent e) {
    Progress p = e.progress() == null ? Progress.NONE : e.progress();
    return String.join(
        "\t",
        e.jobId().toString(),
        e.runId().toString(),
        e.status().name(),
        Long.toString(p.filesDone()),
        Long.toString(p.filesTotal()),
        Long.toString(p.bytesDone()),
        Long.toString(p.bytesTotal()),
        Long.toString(p.bytesPerSecond()),
        encode(p.currentFile()),
        encode(e.error()));
  }

  static ProgressEvent decode(String text) {
    String[] f = text.split("\t", -1);
    if (f.length != 10) {
      throw new IllegalArgumentException("expected 10 fields, got " + f.length);
    }
    Progress progress =
        new Progress(
            Long.parseLong(f[3]),
            Long.parseLong(f[4]),
            Long.parseLong(f[5]),
            Long.parseLong(f[6]),
            decodeText(f[8]),
            Long.parseLong(f[7]));
    return new ProgressEvent(
        JobId.parse(f[0], "job"),
        RunId.parse(f[1], "run"),
        RunStatus.valueOf(f[2]),
        progress,
        decodeText(f[9]));
  }

  /** URL-encodes {@code text}, cut so that its encoding stays under {@code TEXT_LIMIT} chars. */
  private static String encode(String text) {
    if (text == null) {
      return "";
    }
    String cut = text;
    String encoded = URLEncoder.encode(cut, StandardCharsets.UTF_8);
    while (encoded.length() > TEXT_LIMIT) {
      int points = cut.codePointCount(0, cut.length());
      cut = cut.substring(0, cut.offsetByCodePoints(0, points * 3 / 4));
      encoded = URLEncoder.encode(cut + "...", StandardCharsets.UTF_8);
    }
    return "=" + encoded;
  }

  private static String decodeText(String field) {
    return field.isEmpty() ? null : URLDecoder.decode(field.substring(1), StandardCharsets.UTF_8);
  }
}
