package io.verdant.examples.net;

import io.verdant.Config;
import io.verdant.Verdant;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * An echo server: every byte a client sends comes straight back. One green
 * thread per connection, in plain blocking style: {@code read} parks the green
 * thread (the JDK's poller hands it back to Verdant's scheduler when data
 * arrives), never the carrier.
 *
 * <p>Standalone: {@code EchoServer [port] [workers]} listens on 127.0.0.1
 * (port 7007 by default) until interrupted; try {@code nc 127.0.0.1 7007}.
 */
public final class EchoServer extends SocketServer {
    /** Per-connection buffer: one read's worth. */
    private static final int BUFFER = 8192;

    /**
     * Starts an echo server on {@code address}. A connection with no data for
     * {@code idleTimeout} is closed (zero: never). The timeout is not a socket read
     * timeout: the server's sweeper thread closes the idle connection, so a read
     * that blocks costs no JDK timer (see {@link SocketServer}).
     *
     * @param threads     starts the server's threads (green, virtual or pooled)
     * @param address     the address to listen on
     * @param idleTimeout how long a connection may send nothing; zero: no limit
     * @throws IOException              if the address cannot be bound
     * @throws IllegalArgumentException if {@code idleTimeout} is negative
     */
    public EchoServer(ThreadStarter threads, InetSocketAddress address, Duration idleTimeout) throws IOException {
        super("echo", threads, address, 4096, Duration.ofSeconds(1), idleTimeout, Duration.ZERO);
        startAccepting();
    }

    /** An echo server of green threads of {@code runtime} on 127.0.0.1:{@code port} (0: any free port). */
    public static EchoServer start(Verdant runtime, int port) throws IOException {
        return new EchoServer(ThreadStarter.green(runtime),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofMinutes(5));
    }

    @Override
    protected void serve(Connection c) throws IOException {
        InputStream in = c.socket().getInputStream();
        OutputStream out = c.socket().getOutputStream();
        byte[] buf = new byte[BUFFER];
        for (;;) {
            int n = in.read(buf);
            if (n < 0 || !c.beginWork()) {
                return;
            }
            out.write(buf, 0, n);
            if (!c.endWork()) {
                return;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7007;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        CountDownLatch stop = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("echo").build());
             EchoServer server = start(rt, port)) {
            AutoCloseable closer = server;   // closed by the hook, and again (harmlessly) by the try
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                closeQuietly(closer);
                stop.countDown();
            }));
            System.out.println("echo server on " + server.address() + " (" + workers + " workers); Ctrl-C stops it");
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
