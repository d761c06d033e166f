package io.verdant.examples.net;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.verdant.examples.net.HttpServerTest.awaitTrue;
import static io.verdant.examples.net.HttpServerTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** The echo example against raw sockets, up to 10,000 concurrent connections. */
@Timeout(120)
class EchoServerTest {

    @Test
    void echoesEveryByteOfLargeTransfersOnOneWorker() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("echo-1").build());
             EchoServer server = EchoServer.start(rt, 0)) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(connect(server));
            }
            // 8 connections x 64 rounds of 16 KiB (larger than socket buffers fill in one go).
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < clients.size(); i++) {
                Socket s = clients.get(i);
                int id = i;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        assertThat(EchoLoadClient.roundTrips(s, id, 16 * 1024, 64)).isEqualTo(64L * 16 * 1024);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(server.openConnections()).isEqualTo(8);
            for (Socket s : clients) {
                s.close();
            }
            awaitTrue(() -> server.openConnections() == 0, "connection threads ended");
            // Only the accept loop and the idle-timeout sweeper are left.
            assertThat(server.serverThreads()).isEqualTo(2);
            awaitTrue(() -> rt.liveThreads() == server.serverThreads(), "only the server's own threads left");
        }
    }

    @Test
    void closeEndsEveryConnectionThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("echo-close").build())) {
            EchoServer server = EchoServer.start(rt, 0);
            try (Socket a = connect(server); Socket b = connect(server)) {
                awaitTrue(() -> server.openConnections() == 2, "two connections");
                server.close();
                assertThat(a.getInputStream().read()).isEqualTo(-1);
                assertThat(b.getInputStream().read()).isEqualTo(-1);
                assertThat(server.openConnections()).isZero();
                awaitTrue(() -> rt.liveThreads() == 0, "all green threads ended");
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeoutAndAnActiveOneIsNot() throws Exception {
        Duration idleTimeout = Duration.ofSeconds(2);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("echo-idle").build());
             EchoServer server = new EchoServer(ThreadStarter.green(rt),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), idleTimeout)) {
            long t0 = System.nanoTime(); // before the connects: the server's idle clock starts later
            try (Socket idle = connect(server); Socket active = connect(server)) {
                // The idle one is watched by a thread of its own: when the server closes it.
                int[] idleRead = {0};
                long[] idleClosedAt = {0};
                Thread watcher = Thread.ofPlatform().start(() -> {
                    try {
                        idleRead[0] = idle.getInputStream().read();
                    } catch (IOException e) {
                        idleRead[0] = -2;
                    }
                    idleClosedAt[0] = System.nanoTime();
                });
                // The active connection echoes a byte every 10 ms for 5 s: two and a half idle
                // timeouts. The gaps are short and the timeout long so that a client descheduled
                // on a loaded machine does not leave it idle for a whole timeout (with a byte every
                // 100 ms against a 1 s timeout, one stall of this thread of 1.4 s closed it).
                OutputStream out = active.getOutputStream();
                InputStream in = active.getInputStream();
                long end = t0 + idleTimeout.multipliedBy(5).dividedBy(2).toNanos();
                int echoed = 0;
                while (System.nanoTime() < end) {
                    int b = 'a' + echoed % 26;
                    out.write(b);
                    out.flush();
                    assertThat(in.read()).isEqualTo(b);
                    echoed++;
                    Thread.sleep(10);
                }
                assertThat(echoed).isGreaterThan(5);
                // The idle one was closed by the server (no data ever came back), not before its timeout.
                watcher.join(20_000);
                assertThat(watcher.isAlive()).isFalse();
                assertThat(idleRead[0]).isEqualTo(-1);
                assertThat(Duration.ofNanos(idleClosedAt[0] - t0)).isGreaterThanOrEqualTo(idleTimeout);
                awaitTrue(() -> server.openConnections() == 1, "only the active connection left");
                out.write('z');
                out.flush();
                assertThat(in.read()).isEqualTo('z');
            }
        }
    }

    @Test
    void anEchoServerWithoutIdleTimeoutHasNoSweeper() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("echo-untimed").build());
             EchoServer server = new EchoServer(ThreadStarter.green(rt),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ZERO)) {
            assertThat(server.serverThreads()).isEqualTo(1);
            awaitTrue(() -> rt.liveThreads() == 1, "only the accept loop");
            try (Socket s = connect(server)) {
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
            }
        }
    }

    /**
     * 10,000 connections open at once, each with its own green thread, every byte
     * checked. The clients run in a forked JVM: this machine's open-files limit
     * (ulimit -n = 20,000, hard) is too small for 10,000 client plus 10,000 server
     * sockets in one process.
     */
    @Test
    void tenThousandConcurrentConnectionsEachEchoEveryByte() throws Exception {
        int connections = 10_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("echo-10k").build());
             EchoServer server = EchoServer.start(rt, 0)) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process client = new ProcessBuilder(java, "-Xss512k", "-cp", System.getProperty("java.class.path"),
                    EchoLoadClient.class.getName(), Integer.toString(server.port()), Integer.toString(connections),
                    "128", "2").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                Writer control = new java.io.OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8);
                assertThat(out.readLine()).isEqualTo("connected " + connections);
                awaitTrue(() -> server.openConnections() == connections, "server holds every connection");
                // The accept thread registers a connection before it starts the connection's thread:
                // the last one may be counted open while its thread is not yet started.
                awaitTrue(() -> rt.liveThreads() == connections + (long) server.serverThreads(),
                        "a green thread per connection, besides the server's own");
                control.write("go\n");
                control.flush();
                assertThat(out.readLine()).isEqualTo("verified " + (long) connections * 128 * 2);
                control.write("close\n");
                control.flush();
                assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(client.exitValue()).isZero();
                awaitTrue(() -> server.openConnections() == 0, "all connection threads ended");
                assertThat(server.acceptedConnections()).isEqualTo(connections);
            } finally {
                client.destroyForcibly();
            }
        }
    }
}
