package io.verdant;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link JdkPollersTest} in a fresh JVM with the JDK's default scheduler
 * at one carrier ({@code -Djdk.virtualThreadScheduler.parallelism=1}), which a
 * CPU-bound default virtual thread holds throughout (at most 30 s). A green
 * thread of a one-carrier runtime (no spares) reads a socket; as its byte
 * arrives, another green thread holds that carrier for 500 ms without a
 * safepoint (as the OS holds a descheduled carrier on a loaded machine), past
 * the stall threshold, so the sub-poller's task is rescued to the held default
 * scheduler. Once the carrier is free the read must be woken, not wait for the
 * hog. Prints {@code read-while-held <bool>}.
 */
public final class PollerHeldCarrierProbe {
    private PollerHeldCarrierProbe() {
    }

    public static void main(String[] args) throws Exception {
        DefaultCarrierHog hog = DefaultCarrierHog.start();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        boolean read;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("held-carrier").build());
             ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            GreenHandle<Integer> reader = rt.spawn(() -> {
                try (Socket s = new Socket(loopback, listener.getLocalPort())) {
                    return s.getInputStream().read();
                }
            });
            try (Socket peer = listener.accept()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (reader.state() != GreenState.WAITING && !reader.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                CountDownLatch holding = new CountDownLatch(1);
                GreenHandle<Void> holder = rt.spawn(() -> {
                    holding.countDown();
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                });
                if (!holding.await(20, TimeUnit.SECONDS)) {
                    throw new AssertionError("the holder did not start");
                }
                peer.getOutputStream().write(9);
                holder.join(Duration.ofSeconds(20));
                read = reader.join(Duration.ofSeconds(20)) == 9 && hog.holding();
            }
        } finally {
            hog.release();
        }
        System.out.println("read-while-held " + read);
    }
}
