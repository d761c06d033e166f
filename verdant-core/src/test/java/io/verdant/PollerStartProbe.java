package io.verdant;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

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
    private PollerStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        DefaultCarrierHog hog = DefaultCarrierHog.start();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        boolean started;
        boolean read;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("held-default").build());
             ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            started = hog.holding();
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
                read = reader.join(Duration.ofSeconds(20)) == 9 && hog.holding();
            }
        } finally {
            hog.release();
        }
        System.out.println("started-while-held " + started + " read-while-held " + read);
    }
}
