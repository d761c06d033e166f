package io.verdant.examples.net;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * A small HTTP/1.1 server: one green thread per connection, persistent
 * connections (keep-alive, pipelining), request bodies by Content-Length,
 * timeouts against idle and slow clients, and graceful shutdown on
 * {@link #close()}. Written in blocking style; every socket read and write
 * parks the green thread, not the carrier.
 *
 * <h2>Routes</h2>
 * <ul>
 *   <li>{@code GET /} — {@code Hello from Verdant}</li>
 *   <li>{@code GET /hello?name=x} — {@code Hello, x}</li>
 *   <li>{@code GET /conn} — {@code conn=<n> thread=<green pid or thread name>}: the
 *       connection's sequence number, so a client can see keep-alive reuse</li>
 *   <li>{@code POST /echo} — the request body</li>
 * </ul>
 * Other paths are 404, other methods 405. Malformed requests get 400 and the
 * connection is closed; a request whose head exceeds 8 KiB gets 431, a body over
 * 1 MiB 413, {@code Transfer-Encoding} 501.
 *
 * <h2>Timeouts</h2>
 * An idle persistent connection is closed after {@code idleTimeout}. A request
 * must arrive completely (head and body) within {@code requestTimeout} of its
 * first byte, or the server answers 408 and closes: a "slow loris" that
 * trickles one byte at a time cannot hold a connection longer than that. Both
 * fire between their time and about a quarter later (the sweeper's tick; see
 * {@link SocketServer}).
 *
 * <p>Neither is a socket read timeout ({@code Socket.setSoTimeout}): every read
 * here blocks without a time limit, and the server's sweeper thread closes an
 * idle connection or shuts a slow request's input down. A timed read on a
 * green thread would put a JDK timer task into the JDK's shared
 * {@code ScheduledThreadPoolExecutor} and take it out again on every request
 * (see docs/networking.md, "Timeouts without a JDK timer per read").
 *
 * <h2>Shutdown</h2>
 * {@link #close()} stops accepting, closes idle connections at once, lets a
 * request in progress finish (its response says {@code Connection: close}), and
 * force-closes whatever is left after the grace period (see {@link SocketServer}).
 *
 * <p>Standalone: {@code HttpServer [port] [workers]} listens on 127.0.0.1
 * (port 8080 by default) until interrupted; try {@code curl http://127.0.0.1:8080/hello?name=you}.
 */
public final class HttpServer extends SocketServer {
    /** Largest request head (request line and headers) accepted; also the read buffer size. */
    static final int MAX_HEAD = 8192;
    /** Largest request body accepted. */
    static final int MAX_BODY = 1 << 20;

    private final Duration requestTimeout;

    /**
     * Starts an HTTP server on {@code address}.
     *
     * @param threads        starts the server's threads (green, virtual or pooled)
     * @param address        the address to listen on
     * @param idleTimeout    how long a persistent connection may wait for its next request
     * @param requestTimeout how long a request may take to arrive, from its first byte
     * @param shutdownGrace  how long {@link #close()} lets requests in progress finish
     * @throws IOException              if the address cannot be bound
     * @throws IllegalArgumentException if a timeout is not positive
     */
    public HttpServer(ThreadStarter threads, InetSocketAddress address, Duration idleTimeout,
            Duration requestTimeout, Duration shutdownGrace) throws IOException {
        super("http", threads, address, 4096, shutdownGrace, positive(idleTimeout, "idleTimeout"),
                positive(requestTimeout, "requestTimeout"));
        this.requestTimeout = requestTimeout;
        startAccepting();
    }

    /** An HTTP server of green threads of {@code runtime} on 127.0.0.1:{@code port} (0: any free port). */
    public static HttpServer start(Verdant runtime, int port) throws IOException {
        return start(ThreadStarter.green(runtime), port);
    }

    /** An HTTP server on 127.0.0.1:{@code port} with default timeouts (idle 30 s, request 10 s, grace 2 s). */
    public static HttpServer start(ThreadStarter threads, int port) throws IOException {
        return new HttpServer(threads, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    // ------------------------------------------------------------------ connection loop

    @Override
    protected void serve(Connection c) throws IOException {
        Socket socket = c.socket();
        Reader in = new Reader(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        for (;;) {
            // 1. Wait for the first byte of the next request (idle timeout: the
            //    sweeper closes the socket, and this read throws).
            if (!in.awaitData() || !c.beginRequest()) {
                return;
            }
            // 2. Read the whole request (request timeout: the sweeper shuts the input
            //    down, and the read returns end of stream), answer, loop if persistent.
            Response response;
            boolean keepAlive;
            boolean http10 = false;
            try {
                Request request = Request.read(in);
                if (request == null && !c.timedOut()) {
                    return; // the peer went away in the middle of a request
                }
                if (request == null || !c.requestReceived()) {
                    response = Response.text(408, "request not received within " + requestTimeout + "\n");
                    keepAlive = false;
                } else {
                    response = route(request, c);
                    keepAlive = request.keepAlive();
                    http10 = request.http10;
                }
            } catch (BadRequest bad) {
                response = Response.text(bad.status, bad.getMessage() + "\n");
                keepAlive = false;
            }
            if (c.closeRequested() || isClosing()) {
                keepAlive = false;
            }
            response.write(out, keepAlive, http10);
            if (!keepAlive || !c.endWork()) {
                return;
            }
        }
    }

    /** The routes of the class comment. */
    private static Response route(Request r, Connection c) {
        String path = r.path;
        String query = r.query;
        switch (path) {
            case "/":
                return r.method.equals("GET") ? Response.text(200, "Hello from Verdant\n") : Response.notAllowed("GET");
            case "/hello":
                if (!r.method.equals("GET")) {
                    return Response.notAllowed("GET");
                }
                String name = param(query, "name");
                return Response.text(200, "Hello, " + (name == null || name.isEmpty() ? "world" : name) + "\n");
            case "/conn":
                if (!r.method.equals("GET")) {
                    return Response.notAllowed("GET");
                }
                String who = Green.isGreen() ? Green.self().toString() : Thread.currentThread().getName();
                return Response.text(200, "conn=" + c.id() + " thread=" + who + "\n");
            case "/echo":
                if (!r.method.equals("POST")) {
                    return Response.notAllowed("POST");
                }
                return new Response(200, "application/octet-stream", r.body);
            default:
                return Response.text(404, "no route for " + path + "\n");
        }
    }

    private static String param(String query, String key) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(key)) {
                try {
                    return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    return null;
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ parsing

    /** A 4xx/5xx answer to a request that cannot be served; the connection is closed after it. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * A buffered reader over the socket. Its reads block without a time limit:
     * the server's sweeper enforces the timeouts (see the class comment).
     * Connection thread only.
     */
    static final class Reader {
        private final InputStream in;
        final byte[] buf = new byte[MAX_HEAD];
        int pos;
        int limit;

        Reader(InputStream in) {
            this.in = in;
        }

        /** Waits for buffered or new data; false at end of stream. */
        boolean awaitData() throws IOException {
            return pos < limit || fill() > 0;
        }

        /** Reads more into the buffer (compacting it first); -1 at end of stream, 0 if the buffer is full. */
        int fill() throws IOException {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            if (limit == buf.length) {
                return 0;
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n > 0) {
                limit += n;
            }
            return n;
        }

        /** Reads exactly {@code n} bytes (the body), first from the buffer, then from the socket; null at end of stream. */
        byte[] readBody(int n) throws IOException {
            byte[] body = new byte[n];
            int have = Math.min(n, limit - pos);
            System.arraycopy(buf, pos, body, 0, have);
            pos += have;
            while (have < n) {
                int r = in.read(body, have, n - have);
                if (r < 0) {
                    return null;
                }
                have += r;
            }
            return body;
        }
    }

    /** One parsed request. */
    static final class Request {
        final String method;
        final String path;
        final String query;
        final boolean http10;
        boolean connectionClose;
        boolean connectionKeepAlive;
        byte[] body = new byte[0];

        private Request(String method, String path, String query, boolean http10) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.http10 = http10;
        }

        boolean keepAlive() {
            return http10 ? connectionKeepAlive : !connectionClose;
        }

        /**
         * Reads one request; null if the input ended before it was complete (the peer
         * closed the connection, or the sweeper shut the input down at the request
         * timeout).
         */
        static Request read(Reader in) throws IOException, BadRequest {
            // Find the end of the head (CRLF CRLF). checked: bytes after pos already
            // scanned without a match; offsets from pos survive the compaction in fill.
            int checked = 0;
            int end;
            for (;;) {
                end = indexOfHeadEnd(in.buf, in.pos + Math.max(0, checked - 3), in.limit);
                if (end >= 0) {
                    break;
                }
                checked = in.limit - in.pos;
                if (checked >= MAX_HEAD) {
                    throw new BadRequest(431, "request head larger than " + MAX_HEAD + " bytes");
                }
                if (in.fill() < 0) {
                    return null;
                }
            }
            String head = new String(in.buf, in.pos, end - in.pos, StandardCharsets.ISO_8859_1);
            in.pos = end + 4;
            Request r = parseHead(head);
            if (r.contentLength > 0) {
                byte[] body = in.readBody(r.contentLength);
                if (body == null) {
                    return null;
                }
                r.body = body;
            }
            return r;
        }

        private int contentLength;

        private static int indexOfHeadEnd(byte[] b, int from, int to) {
            for (int i = from; i + 3 < to; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static Request parseHead(String head) throws BadRequest {
            String[] lines = head.split("\r\n", -1);
            String[] start = lines[0].split(" ", -1);
            if (start.length != 3 || start[0].isEmpty() || !start[1].startsWith("/")) {
                throw new BadRequest(400, "malformed request line");
            }
            String method = start[0];
            for (int i = 0; i < method.length(); i++) {
                char ch = method.charAt(i);
                if (ch < 'A' || ch > 'Z') {
                    throw new BadRequest(400, "malformed method");
                }
            }
            boolean http10;
            if (start[2].equals("HTTP/1.1")) {
                http10 = false;
            } else if (start[2].equals("HTTP/1.0")) {
                http10 = true;
            } else {
                throw new BadRequest(start[2].startsWith("HTTP/") ? 505 : 400, "unsupported protocol " + start[2]);
            }
            String target = start[1];
            int q = target.indexOf('?');
            Request r = new Request(method, q < 0 ? target : target.substring(0, q),
                    q < 0 ? null : target.substring(q + 1), http10);
            boolean sawLength = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon <= 0 || line.charAt(colon - 1) == ' ') {
                    throw new BadRequest(400, "malformed header line");
                }
                String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> {
                        int len;
                        try {
                            len = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new BadRequest(400, "malformed Content-Length");
                        }
                        if (len < 0 || (sawLength && len != r.contentLength)) {
                            throw new BadRequest(400, "malformed Content-Length");
                        }
                        if (len > MAX_BODY) {
                            throw new BadRequest(413, "body larger than " + MAX_BODY + " bytes");
                        }
                        r.contentLength = len;
                        sawLength = true;
                    }
                    case "transfer-encoding" -> throw new BadRequest(501, "Transfer-Encoding not supported");
                    case "connection" -> {
                        String v = value.toLowerCase(Locale.ROOT);
                        r.connectionClose |= v.contains("close");
                        r.connectionKeepAlive |= v.contains("keep-alive");
                    }
                    default -> {
                    }
                }
            }
            return r;
        }
    }

    /** One response; written in a single write call. */
    record Response(int status, String contentType, byte[] body) {
        static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        static Response notAllowed(String allowed) {
            return text(405, "method not allowed; use " + allowed + "\n");
        }

        /** Writes the response; an HTTP/1.0 client is told explicitly that the connection stays open. */
        void write(OutputStream out, boolean keepAlive, boolean http10) throws IOException {
            String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + (!keepAlive ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "")
                    + "\r\n";
            byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            out.write(all);
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 400 -> "Bad Request";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                case 408 -> "Request Timeout";
                case 413 -> "Content Too Large";
                case 431 -> "Request Header Fields Too Large";
                case 501 -> "Not Implemented";
                case 505 -> "HTTP Version Not Supported";
                default -> "Status";
            };
        }
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        CountDownLatch stop = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("http").build());
             HttpServer server = start(rt, port)) {
            AutoCloseable closer = server;   // closed by the hook, and again (harmlessly) by the try
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                closeQuietly(closer);
                stop.countDown();
            }));
            System.out.println("HTTP server on http://127.0.0.1:" + server.port() + "/ (" + workers
                    + " workers); Ctrl-C stops it");
            stop.await();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("close failed: " + e);
        }
    }
}
