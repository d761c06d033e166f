package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mailbox / scheduled-flag hand-off of event actors under contention: no
 * message is ever left in an actor that is not scheduled, and a cancellation
 * racing with sends and turn ends always ends the actor. Throughput 1 makes
 * every message its own turn, so turns end (IDLE) as often as possible while
 * producers on green and platform threads send (IDLE -> SCHEDULED).
 * Bounded: a fixed number of messages, a deadline of seconds.
 */
@Timeout(120)
class EventActorHandOffStressTest {
    private static final int ACTORS = 64;
    private static final int GREEN_SENDERS = 4;
    private static final int PER_SENDER = 25_000;

    @Test
    void noMessageIsStrandedInAnIdleActor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("handoff").build())) {
            AtomicLongArray handled = new AtomicLongArray(ACTORS);
            List<Pid> pids = new ArrayList<>();
            for (int i = 0; i < ACTORS; i++) {
                int me = i;
                pids.add(Actors.spawner(rt).throughput(1).spawn(null, (s, m) -> {
                    handled.incrementAndGet(me);
                    return s;
                }).pid());
            }
            List<GreenHandle<Void>> senders = new ArrayList<>();
            for (int s = 0; s < GREEN_SENDERS; s++) {
                int seed = s;
                senders.add(rt.spawn(() -> {
                    for (int i = 0; i < PER_SENDER; i++) {
                        Green.send(pids.get((i * 7 + seed) % ACTORS), i);
                        if ((i & 255) == 0) {
                            Green.yield();
                        }
                    }
                }));
            }
            Thread platform = new Thread(() -> {
                for (int i = 0; i < PER_SENDER; i++) {
                    Green.send(pids.get(i % ACTORS), i);
                }
            });
            platform.start();
            Green.joinAll(senders);
            platform.join();
            long expected = (long) (GREEN_SENDERS + 1) * PER_SENDER;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long total;
            do {
                total = 0;
                for (int i = 0; i < ACTORS; i++) {
                    total += handled.get(i);
                }
                if (total == expected) {
                    break;
                }
                Thread.sleep(5);
            } while (System.nanoTime() < deadline);
            assertThat(total).as("messages handled").isEqualTo(expected);
            // Every actor went back to IDLE: none is left scheduled with nothing to do.
            for (Pid p : pids) {
                GreenHandle<?> h = rt.handle(p).orElseThrow();
                // The state the loop saw is the one asserted: read again, it may have moved on.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                GreenState seen;
                while ((seen = h.state()) != GreenState.WAITING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(seen).isEqualTo(GreenState.WAITING);
            }
        }
    }

    @Test
    void cancellationRacingWithSendsAlwaysEndsTheActor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("handoff-cancel").build())) {
            for (int round = 0; round < 200; round++) {
                List<GreenHandle<Object>> actors = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    actors.add(Actors.spawner(rt).throughput(1).spawn(null, (s, m) -> s));
                }
                GreenHandle<Void> sender = rt.spawn(() -> {
                    for (int i = 0; i < 200; i++) {
                        for (GreenHandle<Object> a : actors) {
                            Green.send(a.pid(), i);
                        }
                    }
                });
                for (GreenHandle<Object> a : actors) {
                    a.cancel();
                }
                sender.join(Duration.ofSeconds(10));
                for (GreenHandle<Object> a : actors) {
                    try {
                        a.join(Duration.ofSeconds(10));
                    } catch (GreenFailedException expected) {
                        assertThat(expected).hasCauseInstanceOf(CancelledException.class);
                    }
                    assertThat(a.isDone()).isTrue();
                }
            }
        }
    }
}
