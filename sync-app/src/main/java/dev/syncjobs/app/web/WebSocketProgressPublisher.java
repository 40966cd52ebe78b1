package dev.syncjobs.app.web;

import dev.syncjobs.core.job.SyncJobs;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.core.port.RunRepository;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.WriteCallback;

/**
 * WebSocket fan-out of progress ({@code /api/v1/ws/sync} and {@code /api/v1/ws/sync/{job_id}}).
 * Every client gets the current state on connect, then each event the core publishes (already at
 * most two per second per run, plus every status change). A client has a bounded queue with one
 * message in flight: a newer progress message of a run replaces one still queued, status changes
 * and final states are always kept, and a client whose queue still overflows is disconnected, so a
 * slow or dead client never slows a transfer or the other clients. Publishing never blocks.
 */
public final class WebSocketProgressPublisher implements ProgressPublisher, RouteGroup {
  /** Messages a client may have queued before it counts as dead. */
  static final int MAX_QUEUE = 256;

  private final SyncJobs jobs;
  private final RunRepository runs;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final Map<RunId, RunStatus> lastStatus = new ConcurrentHashMap<>();

  public WebSocketProgressPublisher(SyncJobs jobs, RunRepository runs) {
    this.jobs = jobs;
    this.runs = runs;
  }

  private record Message(RunId run, boolean important, String text) {}

  @Override
  public void publish(ProgressEvent e) {
    RunStatus previous =
        e.isFinal() ? lastStatus.remove(e.runId()) : lastStatus.put(e.runId(), e.status());
    boolean important = e.isFinal() || previous != e.status();
    Message m = new Message(e.runId(), important, Json.write(RunJson.progress(e)));
    for (Client c : clients) {
      if (c.job == null || c.job.equals(e.jobId())) {
        c.offer(m);
      }
    }
  }

  /** Clients connected now. */
  public int clientCount() {
    return clients.size();
  }

  @Override
  public void register(Routes r) {
    r.ws("/api/v1/ws/sync", ws -> configure(ws, false));
    r.ws("/api/v1/ws/sync/{job_id}", ws -> configure(ws, true));
  }

  /** Handlers of one of the two paths; {@code perJob} reads the {@code job_id} path parameter. */
  void configure(WsConfig ws, boolean perJob) {
    ws.onConnect(
        ctx -> {
          JobId job = null;
          if (perJob) {
            try {
              job = Ids.job(ctx.pathParam("job_id"));
              jobs.get(job);
            } catch (ValidationException | NotFoundException e) {
              ctx.closeSession(4404, "no such job");
              return;
            }
          }
          ctx.session.setIdleTimeout(java.time.Duration.ofMinutes(10));
          ctx.enableAutomaticPings(30, TimeUnit.SECONDS);
          // Registered first so no event is missed; the state is sent before any of them.
          Client c = new Client(ctx.session, job);
          ctx.attribute("client", c);
          clients.add(c);
          c.start(snapshot(job));
        });
    ws.onClose(ctx -> remove(ctx));
    ws.onError(ctx -> remove(ctx));
    ws.onMessage(ctx -> {});
  }

  private void remove(WsContext ctx) {
    Client c = ctx.attribute("client");
    if (c != null) {
      c.closed = true;
      clients.remove(c);
    }
  }

  /** The current state: per job its active run, else its latest run, else an idle line. */
  private List<Message> snapshot(JobId only) {
    List<Message> out = new ArrayList<>();
    List<Job> list = only == null ? jobs.list() : List.of(jobs.get(only));
    for (Job j : list) {
      Optional<Run> run = runs.findActive(j.id());
      if (run.isEmpty()) {
        List<Run> latest = runs.history(j.id(), 1, 0);
        run = latest.isEmpty() ? Optional.empty() : Optional.of(latest.get(0));
      }
      var body =
          run.map(
                  r ->
                      RunJson.progress(
                          j.id(),
                          r.id(),
                          r.status().name().toLowerCase(Locale.ROOT),
                          r.progress(),
                          r.error()))
              .orElseGet(() -> RunJson.progress(j.id(), null, "idle", Progress.NONE, null));
      out.add(new Message(run.map(Run::id).orElse(null), true, Json.write(body)));
    }
    return out;
  }

  /** One connection: a bounded queue drained by asynchronous sends, one at a time. */
  private final class Client implements WriteCallback {
    final Session session;
    final JobId job;
    final ArrayDeque<Message> queue = new ArrayDeque<>();
    volatile boolean closed;
    boolean sending;
    boolean started;

    Client(Session session, JobId job) {
      this.session = session;
      this.job = job;
    }

    /** Sends the current state, then whatever was published meanwhile. */
    synchronized void start(List<Message> state) {
      for (int i = state.size() - 1; i >= 0; i--) {
        queue.addFirst(state.get(i));
      }
      started = true;
      pump();
    }

    synchronized void offer(Message m) {
      if (closed) {
        return;
      }
      if (!m.important() && m.run() != null) {
        for (Iterator<Message> it = queue.descendingIterator(); it.hasNext(); ) {
          Message q = it.next();
          if (m.run().equals(q.run())) {
            if (!q.important()) {
              it.remove();
            }
            break;
          }
        }
      }
      queue.addLast(m);
      if (queue.size() > MAX_QUEUE) {
        queue.removeIf(q -> !q.important());
        if (queue.size() > MAX_QUEUE) {
          closed = true;
          queue.clear();
          clients.remove(this);
          session.close(1008, "too slow: messages were not read");
          return;
        }
      }
      pump();
    }

    private void pump() {
      while (started && !sending && !closed && !queue.isEmpty()) {
        Message next = queue.pollFirst();
        sending = true;
        try {
          session.getRemote().sendString(next.text(), this);
        } catch (RuntimeException e) {
          writeFailed(e);
        }
      }
    }

    @Override
    public void writeSuccess() {
      synchronized (this) {
        sending = false;
        pump();
      }
    }

    @Override
    public void writeFailed(Throwable x) {
      synchronized (this) {
        sending = false;
        closed = true;
        queue.clear();
      }
      clients.remove(this);
    }
  }
}
