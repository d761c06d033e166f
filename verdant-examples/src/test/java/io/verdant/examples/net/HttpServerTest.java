package io.verdant.examples.net;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP example against real clients over loopback: the JDK HttpClient and raw sockets. */
@Timeout(60)
class HttpServerTest {
    private static Verdant rt;
    private static HttpServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        rt = Verdant.start(Config.builder().workers(2).name("http-test").build());
        server = HttpServer.start(rt, 0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        rt.close();
    }

    private static URI uri(HttpServer s, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + s.port() + pathAndQuery);
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(server, pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesAnswerWithStatusAndBody() throws Exception {
        HttpResponse<String> root = get("/");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.body()).isEqualTo("Hello from Verdant\n");
        assertThat(root.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");

        assertThat(get("/hello?name=Ada%20L").body()).isEqualTo("Hello, Ada L\n");
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);

        HttpResponse<String> posted = client.send(HttpRequest.newBuilder(uri(server, "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("ping \u00e9")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).isEqualTo("ping \u00e9");

        HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(uri(server, "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    @Test
    void eachConnectionIsServedByItsOwnGreenThreadAndKeptAlive() throws Exception {
        try (HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            long acceptedBefore = server.acceptedConnections();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = own.send(HttpRequest.newBuilder(uri(server, "/conn")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                seen.add(r.body());
            }
            // Ten sequential requests, one connection, one green thread (a pid, printed <rt.index.gen>).
            assertThat(seen).hasSize(1);
            assertThat(seen.iterator().next()).matches("conn=\\d+ thread=<\\d+\\.\\d+\\.\\d+>\n");
            assertThat(server.acceptedConnections() - acceptedBefore).isEqualTo(1);
        }
    }

    @Test
    void concurrentRequestsAllSucceed() {
        int n = 200;
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(uri(server, "/hello?name=c" + i))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = futures.get(i).join();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("Hello, c" + i + "\n");
        }
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
        try (Socket s = connect(server)) {
            send(s, "GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?name=b HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n");
            String all = readAll(s);
            assertThat(all).containsSubsequence("HTTP/1.1 200", "Hello, a", "HTTP/1.1 200", "Connection: close",
                    "Hello, b");
        }
    }

    @Test
    void badInputHalfRequestsAndDisconnectsNeverHurtTheServerOrLeakThreads() throws Exception {
        // Garbage: 400 and the connection is closed.
        try (Socket s = connect(server)) {
            send(s, "\u0001\u0002 garbage garbage\r\n\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 400 ").contains("Connection: close");
        }
        // A head that never ends within 8 KiB: 431.
        try (Socket s = connect(server)) {
            send(s, "GET / HTTP/1.1\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 431 ");
        }
        // Not HTTP/1.x; a body too large; chunked bodies.
        try (Socket s = connect(server)) {
            send(s, "GET / HTTP/2.0\r\n\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 505 ");
        }
        try (Socket s = connect(server)) {
            send(s, "POST /echo HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 413 ");
        }
        try (Socket s = connect(server)) {
            send(s, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 501 ");
        }
        // Half a request head, then the client goes away.
        try (Socket s = connect(server)) {
            send(s, "GET / HTTP/1.1\r\nHost: ");
        }
        // Half a body, then the client goes away; and an abortive close (RST) mid-request.
        try (Socket s = connect(server)) {
            send(s, "POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123456789");
        }
        try (Socket s = connect(server)) {
            send(s, "POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n01234");
            s.setSoLinger(true, 0);
        }
        // Disconnect before reading the response.
        try (Socket s = connect(server)) {
            send(s, "GET / HTTP/1.1\r\n\r\n");
        }
        assertThat(get("/").statusCode()).isEqualTo(200);
        // Every connection thread above has ended; only the accept loop and the timeout
        // sweeper (plus connections of the shared HttpClient, which it keeps alive) remain.
        awaitTrue(() -> rt.liveThreads() == server.serverThreads() + server.openConnections(),
                "connection threads ended");
        assertThat(server.isClosing()).isFalse();
    }

    @Test
    void slowLorisAndIdleConnectionsTimeOut() throws Exception {
        // Two servers, so that no assertion depends on how soon this thread runs: the slow
        // loris and the prompt client get a 30 s idle timeout, which a client descheduled
        // between its connect and its first byte does not reach (with one server whose idle
        // timeout was 300 ms, such a client was closed as idle, with no 408 or 200), and the
        // idle client, which sends nothing, gets the 300 ms one.
        try (HttpServer strict = new HttpServer(ThreadStarter.green(rt),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(1));
             HttpServer idleServer = new HttpServer(ThreadStarter.green(rt),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     Duration.ofMillis(300), Duration.ofSeconds(30), Duration.ofSeconds(1))) {
            // Idle: never sends a byte; closed with no answer.
            try (Socket idle = connect(idleServer); Socket slow = connect(strict)) {
                idle.setSoTimeout(10_000);
                slow.setSoTimeout(10_000);
                long t0 = System.nanoTime();
                // Slow loris: a header byte every 50 ms, never finishing the head.
                send(slow, "GET / HTTP/1.1\r\n");
                InputStream in = slow.getInputStream();
                for (int i = 0; i < 200 && in.available() == 0; i++) {
                    try {
                        send(slow, "X");
                    } catch (IOException closedByServer) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(readAll(slow)).startsWith("HTTP/1.1 408 ");
                assertThat(idle.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
            }
            awaitTrue(() -> strict.openConnections() == 0, "timed-out connection closed");
            awaitTrue(() -> idleServer.openConnections() == 0, "idle connection closed");
            // A prompt client is still served by the server that timed a request out.
            try (Socket s = connect(strict)) {
                send(s, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
                assertThat(readAll(s)).startsWith("HTTP/1.1 200 ").endsWith("Hello from Verdant\n");
            }
        }
    }

    @Test
    void aBodyThatTricklesInPastTheRequestTimeoutGets408() throws Exception {
        try (HttpServer strict = new HttpServer(ThreadStarter.green(rt),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(1));
             Socket slow = connect(strict)) {
            long t0 = System.nanoTime();
            // The head at once, then the body a byte every 50 ms, never finishing.
            send(slow, "POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n");
            InputStream in = slow.getInputStream();
            for (int i = 0; i < 200 && in.available() == 0; i++) {
                try {
                    send(slow, "b");
                } catch (IOException closedByServer) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(readAll(slow)).startsWith("HTTP/1.1 408 ").contains("Connection: close");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(8));
            awaitTrue(() -> strict.openConnections() == 0, "timed-out connection closed");
        }
    }

    @Test
    void aKeepAliveConnectionInUseOutlivesManyIdleTimeouts() throws Exception {
        Duration idleTimeout = Duration.ofMillis(1500);
        try (HttpServer strict = new HttpServer(ThreadStarter.green(rt),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                idleTimeout, Duration.ofMillis(500), Duration.ofSeconds(1));
             Socket s = connect(strict)) {
            // Requests 10 ms apart for 4 s (more than two idle timeouts: a timeout counted from the
            // connection's start, not from its last request, closes it), all on one connection. The
            // gaps are short and the timeout long so that a client thread descheduled on a loaded
            // machine does not leave the connection idle for a whole timeout (a 100 ms sleep took
            // 755 ms once: with a 500 ms timeout that closed the connection).
            String first = null;
            long end = System.nanoTime() + idleTimeout.multipliedBy(8).dividedBy(3).toNanos();
            int requests = 0;
            while (System.nanoTime() < end) {
                send(s, "GET /conn HTTP/1.1\r\n\r\n");
                String r = readResponse(s.getInputStream());
                assertThat(r).startsWith("HTTP/1.1 200 ");
                String body = r.substring(r.indexOf("\r\n\r\n") + 4);
                if (first == null) {
                    first = body;
                }
                assertThat(body).isEqualTo(first);
                requests++;
                Thread.sleep(10);
            }
            assertThat(requests).isGreaterThan(5);
            assertThat(strict.acceptedConnections()).isEqualTo(1);
            // Left idle, it is closed.
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aServerWhoseThreadsCannotStartFailsAndFreesItsPort() throws Exception {
        Verdant closed = Verdant.start(Config.builder().workers(1).name("http-closed").build());
        closed.close();
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpServer(ThreadStarter.green(closed), address,
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .isInstanceOf(RuntimeException.class);
        // The listener was closed: the port can be bound again.
        try (java.net.ServerSocket again = new java.net.ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(address);
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    /**
     * The regression test for the timer per read: with socket read timeouts, every
     * request whose read blocked put a task into the JDK's shared timer (about one
     * per request here, where the client pauses so that every read blocks); with
     * the sweeper, only the sweeper's own parks (one per tick, 1 s here) remain.
     */
    @Test
    void servingRequestsSchedulesNoJdkTimerPerRead() throws Exception {
        int requests = 200;
        try (Socket s = connect(server); JdkTimerCounter timers = new JdkTimerCounter()) {
            for (int i = 0; i < requests; i++) {
                send(s, "GET /hello?name=t HTTP/1.1\r\n\r\n");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("Hello, t\n");
                Thread.sleep(1); // the server's next read blocks
            }
            assertThat(timers.scheduled()).isLessThan(requests / 10);
        }
    }

    @Test
    void closeIsGracefulForARequestInProgressAndEndsEveryThread() throws Exception {
        try (Verdant own = Verdant.start(Config.builder().workers(1).name("http-close").build())) {
            HttpServer s = new HttpServer(ThreadStarter.green(own),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(10));
            try (Socket idle = connect(s); Socket busy = connect(s)) {
                idle.setSoTimeout(10_000);
                busy.setSoTimeout(10_000);
                send(idle, "GET / HTTP/1.1\r\n\r\n");
                assertThat(readResponse(idle.getInputStream())).startsWith("HTTP/1.1 200 ");
                send(busy, "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234");
                awaitTrue(() -> s.openConnections() == 2, "both connections open");
                // The server has begun reading the POST (its thread may not have run yet: a
                // connection closed before its request began counts as idle, and gets no answer).
                awaitTrue(() -> s.readingConnections() == 1, "the POST is being read");
                CountDownLatch closed = new CountDownLatch(1);
                Thread closer = Thread.ofPlatform().start(() -> {
                    s.close();
                    closed.countDown();
                });
                // The idle keep-alive connection is closed at once; the busy one is allowed to finish.
                assertThat(idle.getInputStream().read()).isEqualTo(-1);
                assertThat(closed.getCount()).isEqualTo(1);
                send(busy, "56789");
                String answer = readAll(busy);
                assertThat(answer).startsWith("HTTP/1.1 200 ").contains("Connection: close").endsWith("0123456789");
                closer.join();
                assertThat(s.openConnections()).isZero();
                awaitTrue(() -> own.liveThreads() == 0, "accept loop and connection threads ended");
                try (Socket refused = new Socket()) {
                    assertThat(tryConnect(refused, s.port())).isFalse();
                }
            }
        }
    }

    /**
     * A runtime closed before its server cancels the server's threads (close interrupts
     * them): each must end, none be abandoned with its carrier still running it. The
     * sweeper's parkNanos returns at once once interrupted, and it went on sweeping.
     */
    @Test
    void closingTheRuntimeBeforeTheServerEndsEveryServerThread() throws Exception {
        Verdant own = Verdant.start(Config.builder().workers(1).shutdownTimeout(Duration.ofSeconds(2))
                .name("http-rt-first").build());
        HttpServer s = null;
        try {
            s = HttpServer.start(own, 0);
            try (Socket c = connect(s)) {
                send(c, "GET / HTTP/1.1\r\n\r\n");
                assertThat(readResponse(c.getInputStream())).startsWith("HTTP/1.1 200 ");
                // Accept thread, sweeper and the idle connection's thread are parked.
                own.close();
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            // close() waited for the carriers: one still alive is stuck in a server thread.
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("http-rt-first-carrier")) {
                    t.join(5_000);
                    assertThat(t.isAlive()).as("%s still running %s", t, List.of(t.getStackTrace())).isFalse();
                }
            }
        } finally {
            if (s != null) {
                s.close();
            }
            own.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    static Socket connect(SocketServer s) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.port());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static boolean tryConnect(Socket s, int port) {
        try {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Everything until the server closes the connection. */
    static String readAll(Socket s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                bytes.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // The server may reset after answering (unread request bytes); what arrived is kept.
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** One response whose length is given by Content-Length. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in response head: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int i = h.toLowerCase().indexOf("content-length:");
        int len = Integer.parseInt(h.substring(i + 15, h.indexOf('\r', i)).trim());
        return h + new String(in.readNBytes(len), StandardCharsets.ISO_8859_1);
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }
}
