package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runtimes in one JVM share the JDK's socket sub-pollers (internal
 * PollerHost hosts them on the carriers of a live runtime). A runtime whose
 * only carrier a green thread holds (no safepoint, no spare carriers) must not
 * hold up the socket wake-ups of another, idle runtime: each used to wait for
 * the busy one's stall rescue (about 100 ms, twice per round trip).
 */
@Timeout(60)
class SocketsAcrossRuntimesTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int ROUND_TRIPS = 40;

    @Test
    void aRuntimeWhoseCarrierIsHeldDoesNotHoldUpTheSocketsOfAnother() throws Exception {
        try (Verdant busy = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("busy")
                     .shutdownTimeout(Duration.ofSeconds(2)).build());
             Verdant served = Verdant.start(Config.builder().workers(1).name("served").build());
             ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
            GreenHandle<Long> echo = served.spawn(() -> {
                try (Socket c = listener.accept()) {
                    return c.getInputStream().transferTo(c.getOutputStream());
                }
            });
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = busy.spawn(() -> {
                holding.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (release.getCount() != 0 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            try {
                assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
                long[] nanos = served.spawn(() -> {
                    long[] each = new long[ROUND_TRIPS];
                    try (Socket s = new Socket(LOOPBACK, listener.getLocalPort())) {
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        for (int i = 0; i < ROUND_TRIPS; i++) {
                            long t0 = System.nanoTime();
                            out.write(i);
                            assertThat(in.read()).isEqualTo(i);
                            each[i] = System.nanoTime() - t0;
                        }
                    }
                    return each;
                }).join(Duration.ofSeconds(40));
                Arrays.sort(nanos);
                // Median against half the stall threshold (100 ms): a round trip that waits for
                // the busy runtime's rescue takes at least one, usually two.
                assertThat(Duration.ofNanos(nanos[ROUND_TRIPS / 2])).isLessThan(Duration.ofMillis(50));
                assertThat(echo.join(Duration.ofSeconds(20))).isEqualTo(ROUND_TRIPS);
            } finally {
                release.countDown();
                holder.join(Duration.ofSeconds(20));
            }
        }
    }
}
