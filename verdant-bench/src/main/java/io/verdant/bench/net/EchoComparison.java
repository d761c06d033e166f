package io.verdant.bench.net;

import io.verdant.bench.Comparison;
import io.verdant.bench.Report;

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
 */
public final class EchoComparison implements Comparison {
    static final int SIZE = 64;

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String description() {
        return "1,000 connections x 1,000 round trips of 64 bytes against the echo example, total time";
    }

    @Override
    public void run(Report report) throws Exception {
        int connections = Integer.getInteger("echo.connections", 1000);
        int trips = Integer.getInteger("echo.trips", 1000);
        int rounds = Integer.getInteger("echo.rounds", 3);
        List<ForkedServer> servers = new ArrayList<>();
        try {
            for (ForkedServer.SystemUnderTest sut : ForkedServer.systems()) {
                servers.add(ForkedServer.start("echo", sut));
            }
            for (ForkedServer s : servers) {
                drive(s.port, connections, Math.max(1, trips / 5));
            }
            Map<ForkedServer, List<Double>> runs = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (ForkedServer s : servers) {
                    double ms = drive(s.port, connections, trips) / 1e6;
                    runs.computeIfAbsent(s, k -> new ArrayList<>()).add(ms);
                    report.note(String.format(Locale.ROOT, "run %d %s: %.0f ms", r + 1, s.sut.label(), ms));
                }
            }
            for (Map.Entry<ForkedServer, List<Double>> e : runs.entrySet()) {
                double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
                List<String> extra = new ArrayList<>(List.of("connections=" + connections, "round_trips=" + trips,
                        "bytes=" + SIZE, "rounds=" + v.length));
                extra.addAll(List.of(e.getKey().sut.extra()));
                report.result("echo", e.getKey().sut.system(), (long) connections * trips, "ms", median,
                        extra.toArray(String[]::new));
            }
        } finally {
            for (ForkedServer s : servers) {
                s.close();
            }
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
