package com.plugsky.crypto.kms.aws.fault;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on a loopback port that forwards AWS JSON requests to an upstream (moto) and,
 * on demand, answers in its place the way AWS does when things go wrong: throttling (HTTP 400 with
 * {@code __type: ThrottlingException}), 5xx, any other AWS error type, or no answer at all. Faults
 * are queued: each request takes the next one, and requests find the upstream once the queue is
 * empty (unless {@link #hangEverything} is set).
 */
public final class FaultInjectingProxy implements AutoCloseable {
  private static final Set<String> HOP_HEADERS =
      Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

  /** What the proxy does with one request. */
  public sealed interface Fault {
    /** An AWS JSON error response: status and {@code __type}. */
    record AwsError(int status, String type) implements Fault {}

    /** Reads the request and never answers. */
    record Hang() implements Fault {}

    static Fault throttling() {
      return new AwsError(400, "ThrottlingException");
    }

    static Fault internalError() {
      return new AwsError(500, "KMSInternalException");
    }

    static Fault serviceUnavailable() {
      return new AwsError(503, "ServiceUnavailableException");
    }

    static Fault error(int status, String type) {
      return new AwsError(status, type);
    }

    static Fault hang() {
      return new Hang();
    }
  }

  private final URI upstream;
  private final ServerSocket server;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean hangEverything;

  private FaultInjectingProxy(URI upstream, ServerSocket server) {
    this.upstream = upstream;
    this.server = server;
  }

  /** A proxy to {@code upstream} on a free loopback port, accepting at once. */
  public static FaultInjectingProxy start(URI upstream) {
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      FaultInjectingProxy proxy = new FaultInjectingProxy(upstream, server);
      proxy.connections.submit(proxy::acceptLoop);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a loopback port", e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** The next requests get these faults, in order. */
  public void enqueue(Fault... next) {
    faults.addAll(List.of(next));
  }

  /** Every request hangs from now on ({@code true}), or goes back to the queue and upstream. */
  public void hangEverything(boolean hang) {
    this.hangEverything = hang;
  }

  /** The AWS operation (X-Amz-Target suffix) of every request received, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** The JSON body of every request received, in order (test data only: it may hold keys). */
  public List<String> bodies() {
    return List.copyOf(bodies);
  }

  /** Requests passed to the upstream. */
  public int forwarded() {
    return forwarded.get();
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      server.close();
    } catch (IOException ignored) {
      // Closing the listener only stops new connections; the sockets are closed next.
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Already gone.
      }
    }
    connections.shutdownNow();
    client.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        connections.submit(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket;
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream()) {
      while (true) {
        Request request = Request.read(in);
        if (request == null) {
          return;
        }
        requests.add(request.operation());
        bodies.add(new String(request.body(), StandardCharsets.UTF_8));
        Fault fault = hangEverything ? new Fault.Hang() : faults.poll();
        switch (fault) {
          case null -> forward(request, out);
          case Fault.Hang hang -> {
            closed.await();
            return;
          }
          case Fault.AwsError error -> answer(out, error.status(), awsErrorBody(error.type()));
        }
      }
    } catch (SocketException gone) {
      // The client or close() dropped the connection.
    } catch (IOException e) {
      // A broken connection ends this one exchange; the client sees it as an I/O error.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sockets.remove(socket);
    }
  }

  private void forward(Request request, OutputStream out) throws IOException, InterruptedException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(upstream.resolve(request.target()))
            .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()))
            .timeout(Duration.ofSeconds(30));
    request
        .headers()
        .forEach(
            (name, value) -> {
              if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                builder.header(name, value);
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException upstreamGone) {
      // Like a load balancer whose backend died: 502 with no AWS error type.
      answer(out, 502, "{\"message\":\"upstream unreachable\"}");
      return;
    }
    forwarded.incrementAndGet();
    answer(out, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
  }

  private static String awsErrorBody(String type) {
    return "{\"__type\":\"" + type + "\",\"message\":\"injected " + type + "\"}";
  }

  private static void answer(OutputStream out, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + (status == 200 ? "OK" : "Error")
            + "\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: "
            + UUID.randomUUID()
            + "\r\nContent-Length: "
            + bytes.length
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** One HTTP/1.1 request with a Content-Length body. */
  private record Request(String method, String target, Map<String, String> headers, byte[] body) {

    /** The next request on the connection, or null at its end. */
    static Request read(InputStream in) throws IOException {
      String requestLine = line(in);
      if (requestLine == null || requestLine.isEmpty()) {
        return null;
      }
      String[] parts = requestLine.split(" ");
      if (parts.length != 3) {
        throw new IOException("not an HTTP request line");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        if (colon > 0) {
          headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
      }
      int length = 0;
      for (Map.Entry<String, String> header : headers.entrySet()) {
        if (header.getKey().equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(header.getValue());
        }
      }
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        return null;
      }
      return new Request(parts[0], parts[1], headers, body);
    }

    String operation() {
      for (Map.Entry<String, String> header : headers.entrySet()) {
        if (header.getKey().equalsIgnoreCase("x-amz-target")) {
          String target = header.getValue();
          return target.substring(target.indexOf('.') + 1);
        }
      }
      return method + " " + target;
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          byte[] raw = bytes.toByteArray();
          int end = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
          return new String(raw, 0, end, StandardCharsets.ISO_8859_1);
        }
        bytes.write(b);
      }
      return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Requests received so far, for failure messages. */
  @Override
  public String toString() {
    return "FaultInjectingProxy["
        + endpoint()
        + " -> "
        + upstream
        + ", requests="
        + new ArrayList<>(requests)
        + "]";
  }
}
