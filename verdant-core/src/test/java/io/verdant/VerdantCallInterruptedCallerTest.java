package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Verdant.call} by a caller already interrupted: as every Verdant wait
 * (and {@code Green.call}), it throws CancelledException before anything is
 * sent, leaving the interrupt status set. Before, it spawned its calling thread
 * first, which could deliver the request (the callee acted on it, its reply was
 * a dead letter) although the call reported CancelledException.
 */
@Timeout(60)
class VerdantCallInterruptedCallerTest {
    record Ask(Pid replyTo) {
    }

    private static final int CALLS = 20;

    private static GreenHandle<Void> counter(Verdant rt, AtomicInteger requests) {
        return rt.spawn(() -> {
            for (;;) {
                if (Green.receive() instanceof Ask(Pid replyTo)) {
                    requests.incrementAndGet();
                    Green.send(replyTo, "pong");
                }
            }
        });
    }

    @Test
    void anInterruptedPlatformCallerSendsNothing() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("call-interrupted").build())) {
            AtomicInteger requests = new AtomicInteger();
            GreenHandle<Void> callee = counter(rt, requests);
            for (int i = 0; i < CALLS; i++) {
                Thread.currentThread().interrupt();
                try {
                    assertThatThrownBy(() -> rt.call(callee.pid(), Ask::new, String.class, Duration.ofSeconds(10)))
                            .isInstanceOf(CancelledException.class);
                } finally {
                    assertThat(Thread.interrupted()).as("the interrupt status stays set").isTrue();
                }
            }
            // The calls above ended after their calling threads did: a request they sent is
            // in the callee's mailbox ahead of this one.
            assertThat(rt.call(callee.pid(), Ask::new, String.class, Duration.ofSeconds(10))).isEqualTo("pong");
            assertThat(requests.get()).as("requests the callee received").isEqualTo(1);
            callee.cancel();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anInterruptedGreenCallerSendsNothing() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("call-interrupted-green").build())) {
            AtomicInteger requests = new AtomicInteger();
            GreenHandle<Void> callee = counter(rt, requests);
            int cancelled = rt.run(() -> {
                int n = 0;
                for (int i = 0; i < CALLS; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        rt.call(callee.pid(), Ask::new, String.class, Duration.ofSeconds(10));
                    } catch (CancelledException expected) {
                        n++;
                    } finally {
                        Thread.interrupted();
                    }
                }
                return n;
            });
            assertThat(cancelled).isEqualTo(CALLS);
            assertThat(rt.call(callee.pid(), Ask::new, String.class, Duration.ofSeconds(10))).isEqualTo("pong");
            assertThat(requests.get()).as("requests the callee received").isEqualTo(1);
            callee.cancel();
        }
    }
}
