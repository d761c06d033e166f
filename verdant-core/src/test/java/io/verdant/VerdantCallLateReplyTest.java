package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rt.call} whose reply comes about when the call times out: every reply
 * is either the call's result or a dead letter. Before, a reply that reached
 * the temporary calling thread after its receive had timed out, but before
 * that thread ended, was reported delivered ({@code Green.send} returned true)
 * and then vanished: no result, no dead letter.
 */
@Timeout(60)
class VerdantCallLateReplyTest {
    record Req(Pid replyTo) {
    }

    @Test
    void aReplyAsTheCallTimesOutIsTheResultOrADeadLetter() throws Exception {
        AtomicInteger dead = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("rt-call-late-reply")
                .deadLetterHandler((p, m) -> dead.incrementAndGet()).build())) {
            GreenHandle<Void> callee = rt.spawn(() -> {
                for (;;) {
                    Req r = Green.receive(Req.class);
                    // Replies about when the 1 ms call times out, before or after.
                    long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(500_000, 1_500_000);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    sent.incrementAndGet();
                    Green.send(r.replyTo(), 42);
                }
            });
            int ok = 0;
            int calls = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (calls < 4_000 && System.nanoTime() < end) {
                calls++;
                try {
                    assertThat(rt.call(callee.pid(), Req::new, Integer.class, Duration.ofMillis(1))).isEqualTo(42);
                    ok++;
                } catch (TimedOutException expected) {
                    // its reply, if it comes, is a dead letter
                }
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((sent.get() < calls || ok + dead.get() < sent.get()) && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(sent.get()).isEqualTo(calls);
            assertThat(ok + dead.get()).as("replies returned (" + ok + ") or dead-lettered, of " + calls).isEqualTo(calls);
        }
    }
}
