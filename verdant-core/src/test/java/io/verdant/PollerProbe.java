package io.verdant;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link JdkPollersTest} in a fresh JVM, where nothing has touched the
 * JDK's socket poller yet. The first socket read of the JVM that needs the
 * poller happens in a green thread (on ONE worker). Then that worker is hogged
 * by a green thread that never yields, and a virtual thread of the JDK's
 * default scheduler reads from a socket: its wake-up goes through the poller's
 * threads, so it completes while the hog still spins only if no poller thread
 * stays stuck on Verdant's (busy) carrier. The sub-pollers run on the carriers
 * of a live runtime (internal PollerHost), but one held there longer than the
 * stall threshold moves to the JDK's default scheduler. Spare carriers are off,
 * so the stall monitor's spare cannot be what frees it. Prints
 * {@code poller-free <true|false> <ms>}.
 */
public final class PollerProbe {
    private static volatile boolean stopHog;

    private PollerProbe() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("probe").build());
             ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            // 1. The JVM's first poller-backed read: a green thread on the only carrier.
            GreenHandle<Integer> first = rt.spawn(() -> {
                try (Socket s = new Socket(loopback, listener.getLocalPort())) {
                    return s.getInputStream().read();
                }
            });
            try (Socket peer = listener.accept()) {
                awaitWaiting(first);
                peer.getOutputStream().write(42);
                if (first.join(Duration.ofSeconds(20)) != 42) {
                    throw new AssertionError("first read");
                }
            }
            // 2. Hog the only carrier: no safepoint, no park, until told to stop (at most 15 s).
            CountDownLatch hogging = new CountDownLatch(1);
            GreenHandle<Void> hog = rt.spawn(() -> {
                hogging.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (!stopHog && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            hogging.await();
            // 3. A default-scheduler virtual thread parks on a socket read; wake it through the poller.
            long[] elapsed = new long[1];
            Thread reader;
            try (Socket peer = new Socket()) {
                CountDownLatch done = new CountDownLatch(1);
                reader = Thread.ofVirtual().start(() -> {
                    try (Socket s = listener.accept()) {
                        int b = s.getInputStream().read();
                        if (b != 7) {
                            throw new AssertionError("read " + b);
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    } finally {
                        done.countDown();
                    }
                });
                peer.connect(listener.getLocalSocketAddress());
                while (reader.getState() != Thread.State.WAITING) {
                    Thread.sleep(1);
                }
                Thread.sleep(50);
                long t0 = System.nanoTime();
                peer.getOutputStream().write(7);
                boolean inTime = done.await(5, TimeUnit.SECONDS) && !hog.isDone();
                elapsed[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                stopHog = true;
                hog.join(Duration.ofSeconds(20));
                reader.join();
                System.out.println("poller-free " + inTime + " " + elapsed[0]);
            }
        }
    }

    private static void awaitWaiting(GreenHandle<?> h) throws InterruptedException {
        while (h.state() != GreenState.WAITING) {
            Thread.sleep(1);
        }
    }
}
