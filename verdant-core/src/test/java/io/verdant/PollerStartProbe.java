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
 * CPU-bound default virtual thread holds while the first runtime starts, until
 * released (at most 30 s: a start that waits for that carrier fails after that,
 * and a loaded machine may take seconds to start this JVM's first runtime; at
 * 5 s, .ci-like loads ended the hog first): start-up must not wait for that
 * carrier (the JDK poller's initialisation used to run there), and a green
 * thread's socket read must be woken while the hog still spins. Prints
 * {@code started-while-held <bool> read-while-held <bool>}.
 */
public final class PollerStartProbe {
    private static volatile boolean release;

    private PollerStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch hogging = new CountDownLatch(1);
        Thread hog = Thread.ofVirtual().start(() -> {
            hogging.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!release && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        hogging.await();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        boolean started;
        boolean read;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("held-default").build());
             ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            started = hog.isAlive();
            GreenHandle<Integer> reader = rt.spawn(() -> {
                try (Socket s = new Socket(loopback, listener.getLocalPort())) {
                    return s.getInputStream().read();
                }
            });
            try (Socket peer = listener.accept()) {
                while (reader.state() != GreenState.WAITING && !reader.isDone()) {
                    Thread.sleep(1);
                }
                peer.getOutputStream().write(9);
                read = reader.join(Duration.ofSeconds(20)) == 9 && hog.isAlive();
            }
        } finally {
            release = true;
        }
        hog.join();
        System.out.println("started-while-held " + started + " read-while-held " + read);
    }
}
