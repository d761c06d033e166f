package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Blocking JDK sockets inside green threads park the green thread, not the
 * carrier: the JDK's poller parks the virtual thread and hands it back through
 * Verdant's executor when the socket is ready. Every test here runs on ONE
 * worker, so a pinned carrier would stop everything else.
 */
@Timeout(60)
class BlockingSocketsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private Verdant rt;
    private ServerSocket listener;
    private final List<Socket> accepted = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        rt = Verdant.start(Config.builder().workers(1).name("sockets").build());
        listener = new ServerSocket(0, 2048, LOOPBACK);
    }

    @AfterEach
    void stop() throws IOException {
        rt.close();
        listener.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    /** The single carrier is free: a fresh green thread runs to completion now. */
    private void assertCarrierFree() {
        assertThat(rt.spawn(() -> "ran").join(Duration.ofSeconds(20))).isEqualTo("ran");
    }

    @Test
    void aThousandGreenThreadsBlockedInSocketReadLeaveTheOnlyCarrierFree() throws Exception {
        int n = 1_000;
        List<GreenHandle<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            readers.add(rt.spawn(() -> {
                try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                    return s.getInputStream().read();
                }
            }));
        }
        for (int i = 0; i < n; i++) {
            accepted.add(listener.accept());
        }
        awaitTrue(() -> readers.stream().allMatch(h -> h.state() == GreenState.WAITING), "all readers parked");
        assertCarrierFree();
        for (int i = 0; i < n; i++) {
            accepted.get(i).getOutputStream().write(i & 0x7f);
        }
        // Each reader got the byte its own connection was sent (accept order is not spawn order,
        // so compare as multisets).
        List<Integer> got = new ArrayList<>();
        for (GreenHandle<Integer> h : readers) {
            got.add(h.join(Duration.ofSeconds(30)));
        }
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(i & 0x7f);
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void serverSocketAcceptParksTheGreenThread() throws Exception {
        try (ServerSocket greenListener = new ServerSocket(0, 50, LOOPBACK)) {
            GreenHandle<String> acceptor = rt.spawn(() -> {
                try (Socket s = greenListener.accept()) {
                    byte[] b = s.getInputStream().readNBytes(5);
                    s.getOutputStream().write("pong!".getBytes());
                    return new String(b);
                }
            });
            awaitTrue(() -> acceptor.state() == GreenState.WAITING, "acceptor parked in accept");
            assertCarrierFree();
            try (Socket client = new Socket(LOOPBACK, greenListener.getLocalPort())) {
                client.getOutputStream().write("ping!".getBytes());
                assertThat(new String(client.getInputStream().readNBytes(5))).isEqualTo("pong!");
            }
            assertThat(acceptor.join(Duration.ofSeconds(20))).isEqualTo("ping!");
        }
    }

    @Test
    void blockingNioChannelsParkTheGreenThread() throws Exception {
        int n = 200;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0), n);
            InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
            // A green thread blocked in ServerSocketChannel.accept serves every connection with an echo green thread.
            GreenHandle<Void> acceptor = rt.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    SocketChannel ch = server.accept();
                    Green.spawn(() -> {
                        try (ch) {
                            ByteBuffer b = ByteBuffer.allocate(8);
                            while (b.hasRemaining() && ch.read(b) >= 0) {
                                // until 8 bytes arrived
                            }
                            b.flip();
                            ch.write(b);
                        }
                        return null;
                    });
                }
                return null;
            });
            List<GreenHandle<Long>> clients = new ArrayList<>();
            CountDownLatch connected = new CountDownLatch(n);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                long value = 1_000_000_007L * i;
                clients.add(rt.spawn(() -> {
                    try (SocketChannel ch = SocketChannel.open(address)) {
                        connected.countDown();
                        release.await();
                        ch.write(ByteBuffer.allocate(8).putLong(0, value));
                        ByteBuffer back = ByteBuffer.allocate(8);
                        while (back.hasRemaining()) {
                            if (ch.read(back) < 0) {
                                throw new IOException("EOF");
                            }
                        }
                        return back.getLong(0);
                    }
                }));
            }
            assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
            // n echo threads are parked in SocketChannel.read and n clients on the latch.
            assertCarrierFree();
            release.countDown();
            for (int i = 0; i < n; i++) {
                assertThat(clients.get(i).join(Duration.ofSeconds(30))).isEqualTo(1_000_000_007L * i);
            }
            acceptor.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void soTimeoutEndsABlockedReadWithSocketTimeoutExceptionWithoutPinning() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        GreenHandle<Object> reader = rt.spawn(() -> {
            try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                s.setSoTimeout(1_500);
                reading.countDown();
                long t0 = System.nanoTime();
                try {
                    s.getInputStream().read();
                    return "read returned";
                } catch (SocketTimeoutException e) {
                    // The socket is still usable after a read timeout.
                    return List.of(e.getMessage(), Duration.ofNanos(System.nanoTime() - t0), s.isClosed());
                }
            }
        });
        accepted.add(listener.accept());
        assertThat(reading.await(20, TimeUnit.SECONDS)).isTrue();
        awaitTrue(() -> reader.state() == GreenState.WAITING || reader.isDone(), "reader parked");
        if (!reader.isDone()) {
            assertCarrierFree();
        }
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) reader.join(Duration.ofSeconds(20));
        assertThat((String) r.get(0)).containsIgnoringCase("timed out");
        assertThat((Duration) r.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(1_400));
        assertThat(r.get(2)).isEqualTo(false);
    }

    @Test
    void connectTimeoutEndsWithSocketTimeoutException() throws Exception {
        // A listener that never accepts, with a backlog of 1: once its accept queue is full
        // Linux drops further SYNs, so the next connect can only time out.
        try (ServerSocket full = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress address = new InetSocketAddress(LOOPBACK, full.getLocalPort());
            List<Socket> fillers = new ArrayList<>();
            try {
                GreenHandle<Object> attempt = rt.spawn(() -> {
                    for (int i = 0; i < 16; i++) {
                        Socket s = new Socket();
                        fillers.add(s);
                        try {
                            s.connect(address, 300);
                        } catch (SocketTimeoutException e) {
                            return e;
                        }
                    }
                    return "never timed out";
                });
                Object outcome = attempt.join(Duration.ofSeconds(30));
                assertThat(outcome).isInstanceOf(SocketTimeoutException.class);
                assertThat(((Exception) outcome).getMessage()).containsIgnoringCase("timed out");
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void interruptingAGreenThreadBlockedInSocketReadEndsItAndClosesTheSocket() throws Exception {
        AtomicReference<Thread> vthread = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        GreenHandle<Object> reader = rt.spawn(() -> {
            vthread.set(Thread.currentThread());
            try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                socket.set(s);
                return s.getInputStream().read();
            } catch (SocketException e) {
                return e;
            }
        });
        accepted.add(listener.accept());
        awaitTrue(() -> reader.state() == GreenState.WAITING && socket.get() != null, "reader parked");
        vthread.get().interrupt();
        Object outcome = reader.join(Duration.ofSeconds(20));
        assertThat(outcome).isInstanceOf(SocketException.class);
        assertThat(socket.get().isClosed()).isTrue();
        // The peer sees the connection end.
        InputStream in = accepted.get(0).getInputStream();
        accepted.get(0).setSoTimeout(20_000);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void interruptingAGreenThreadBlockedInChannelReadThrowsClosedByInterrupt() throws Exception {
        AtomicReference<Thread> vthread = new AtomicReference<>();
        BlockingQueue<SocketChannel> channel = new ArrayBlockingQueue<>(1);
        GreenHandle<Object> reader = rt.spawn(() -> {
            vthread.set(Thread.currentThread());
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(LOOPBACK, listener.getLocalPort()))) {
                channel.add(ch);
                return ch.read(ByteBuffer.allocate(1));
            } catch (ClosedByInterruptException e) {
                return e;
            }
        });
        accepted.add(listener.accept());
        SocketChannel ch = channel.poll(20, TimeUnit.SECONDS);
        awaitTrue(() -> reader.state() == GreenState.WAITING, "reader parked");
        vthread.get().interrupt();
        assertThat(reader.join(Duration.ofSeconds(20))).isInstanceOf(ClosedByInterruptException.class);
        assertThat(ch.isOpen()).isFalse();
        assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1))).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    @Test
    void cancellingAGreenThreadBlockedInSocketReadEndsItAndClosesTheSocket() throws Exception {
        AtomicReference<Socket> socket = new AtomicReference<>();
        GreenHandle<Integer> reader = rt.spawn(() -> {
            try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                socket.set(s);
                return s.getInputStream().read();
            }
        });
        accepted.add(listener.accept());
        awaitTrue(() -> reader.state() == GreenState.WAITING && socket.get() != null, "reader parked");
        reader.cancel();
        // Cancellation interrupts the virtual thread; the JDK closes the socket and the read throws.
        assertThatThrownBy(() -> reader.join(Duration.ofSeconds(20))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(SocketException.class);
        assertThat(socket.get().isClosed()).isTrue();
        accepted.get(0).setSoTimeout(20_000);
        assertThat(accepted.get(0).getInputStream().read()).isEqualTo(-1);
        assertCarrierFree();
    }

    @Test
    void oneCancelTokenEndsAHundredGreenThreadsBlockedOnSocketsAndChannels() throws Exception {
        CancelToken group = CancelToken.create();
        int n = 100;
        List<GreenHandle<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean channel = i % 2 == 0;
            readers.add(rt.spawner().cancelWith(group).spawn(() -> {
                if (channel) {
                    try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(LOOPBACK, listener.getLocalPort()))) {
                        return ch.read(ByteBuffer.allocate(1));
                    }
                }
                try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                    return s.getInputStream().read();
                }
            }));
        }
        for (int i = 0; i < n; i++) {
            accepted.add(listener.accept());
        }
        awaitTrue(() -> readers.stream().allMatch(h -> h.state() == GreenState.WAITING), "readers parked");
        group.cancel();
        for (GreenHandle<Integer> h : readers) {
            assertThatThrownBy(() -> h.join(Duration.ofSeconds(20))).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(IOException.class);
        }
        assertCarrierFree();
    }

    @Test
    void closingTheRuntimeEndsGreenThreadsBlockedOnSockets() throws Exception {
        List<GreenHandle<Object>> readers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            readers.add(rt.spawn(() -> {
                try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                    return s.getInputStream().read();
                }
            }));
        }
        for (int i = 0; i < 50; i++) {
            accepted.add(listener.accept());
        }
        awaitTrue(() -> readers.stream().allMatch(h -> h.state() == GreenState.WAITING), "readers parked");
        rt.close();
        for (GreenHandle<Object> h : readers) {
            // close() interrupts them: the read fails with SocketException and the thread ends.
            assertThat(h.isDone()).isTrue();
            assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(SocketException.class);
        }
        assertThat(rt.liveThreads()).isZero();
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}
