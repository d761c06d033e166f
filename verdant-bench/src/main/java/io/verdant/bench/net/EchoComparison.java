package io.verdant.bench.net;

import io.verdant.bench.Report;
import io.verdant.bench.Trial;
import io.verdant.bench.Harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code echo}: 1,000 connections each doing 1,000 round trips of 64 bytes
 * against the echo example server (verdant 1 and 2 workers, vt-default,
 * platform pool; each in its own JVM). The client is one NIO selector thread in
 * the runner's JVM, identical for every system, checking every byte. Reports
 * total time (median over rounds, systems alternating, after a warm-up each).
 * Tunables: {@code echo.connections} (1000), {@code echo.trips} (1000), {@code echo.rounds} (3).
 * CPU time (cpu_ms) is the server JVM's.
 */
public final class EchoComparison extends Harness {
    static final int SIZE = 64;
    private static final int CONNECTIONS = size("echo.connections", 1000);
    private static final int TRIPS = size("echo.trips", 1000);

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String description() {
        return CONNECTIONS + " connections x " + TRIPS + " round trips of 64 bytes against the echo example, total time";
    }

    @Override
    protected int defaultWarmups() {
        return 1;
    }

    @Override
    protected int defaultRounds() {
        return Integer.getInteger("echo.rounds", 3);
    }

    @Override
    protected List<Entry> entries() {
        List<Entry> es = new ArrayList<>();
        for (ForkedServer.SystemUnderTest sut : ForkedServer.systems()) {
            List<String> extra = new ArrayList<>(List.of("connections=" + CONNECTIONS, "round_trips=" + TRIPS,
                    "bytes=" + SIZE));
            extra.addAll(List.of(sut.extra()));
            es.add(local(sut.label(), name(), sut.system(), (long) CONNECTIONS * TRIPS, "ms", extra,
                    () -> new EchoTrial(ForkedServer.start("echo", sut))));
        }
        return es;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        plainRatio(report, "echo verdant/2 / vt-default (ms)", m, "verdant/2", "vt-default");
    }

    /** Drives one forked server; CPU time is the server's. */
    private static final class EchoTrial implements Trial {
        private final ForkedServer server;
        private long cpu = -1;

        EchoTrial(ForkedServer server) {
            this.server = server;
        }

        @Override
        public double run() throws IOException {
            long c0 = server.cpuNanos();
            double ms = drive(server.port, CONNECTIONS, TRIPS) / 1e6;
            long c1 = server.cpuNanos();
            cpu = c0 < 0 || c1 < 0 ? -1 : c1 - c0;
            return ms;
        }

        @Override
        public long lastRunCpuNanos() {
            return cpu;
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** One connection's client state: which round trip, and how much of the echo has come back. */
    private static final class Conn {
        final int id;
        final ByteBuffer out = ByteBuffer.allocate(SIZE);
        final ByteBuffer in = ByteBuffer.allocate(SIZE);
        int trip;

        Conn(int id) {
            this.id = id;
        }

        void fill() {
            out.clear();
            for (int j = 0; j < SIZE; j++) {
                out.put((byte) (id * 31 + trip * 7 + j));
            }
            out.flip();
        }
    }

    /**
     * Connects, then runs every round trip from one selector thread; returns the
     * nanoseconds from the first write to the last verified echo.
     */
    static long drive(int port, int connections, int trips) throws IOException {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(server);
                channels.add(ch);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Conn c = new Conn(i);
                conns.add(c);
                ch.register(selector, SelectionKey.OP_READ, c);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            long t0 = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                Conn c = conns.get(i);
                c.fill();
                write(channels.get(i), c.out);
            }
            int finished = 0;
            while (finished < connections) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("echo run exceeded 300 s");
                }
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    Conn c = (Conn) key.attachment();
                    if (ch.read(c.in) < 0) {
                        throw new IOException("server closed connection " + c.id);
                    }
                    if (c.in.hasRemaining()) {
                        continue;
                    }
                    for (int j = 0; j < SIZE; j++) {
                        if (c.in.get(j) != c.out.get(j)) {
                            throw new IOException("connection " + c.id + " trip " + c.trip + " byte " + j + " differs");
                        }
                    }
                    c.in.clear();
                    if (++c.trip == trips) {
                        finished++;
                        key.cancel();
                    } else {
                        c.fill();
                        write(ch, c.out);
                    }
                }
                selector.selectedKeys().clear();
            }
            return System.nanoTime() - t0;
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
    }

    /** 64 bytes into an idle socket's send buffer: completes at once; spins only in theory. */
    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) {
                Thread.onSpinWait();
            }
        }
        b.rewind();
    }
}
