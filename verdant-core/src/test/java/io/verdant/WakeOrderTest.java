package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a thread woken by a green thread runs, on one worker (deterministic
 * there: one carrier, nothing injected): next, through the carrier's LIFO
 * slot, when nothing else is queued on the carrier (a hand-off); behind the
 * queued work when some is (issue 11: the philosophers' arbitrator, woken
 * into the slot by every request, ran once per message; queued behind the
 * other senders, it takes their messages in one dispatch).
 */
@Timeout(60)
class WakeOrderTest {
    /** Bound on every join and receive: a wrong order fails, never hangs. */
    private static final Duration LIMIT = Duration.ofSeconds(5);

    private static Verdant single(String name) {
        return Verdant.start(Config.builder().workers(1).name(name).build());
    }

    /** Spawns a receiver that logs its name for each message and returns once it has parked. */
    private static GreenHandle<Void> parkedLogger(String name, int messages, List<String> order) {
        Pid self = Green.self();
        GreenHandle<Void> h = Green.spawn(() -> {
            Green.send(self, "ready");
            for (int i = 0; i < messages; i++) {
                Green.receive();
                order.add(name);
            }
        });
        // On one worker the receiver runs until it parks in its receive before we run again.
        assertThat(Green.receive(LIMIT)).isEqualTo("ready");
        return h;
    }

    @Test
    void aThreadWokenWithNothingQueuedRunsNext() {
        try (Verdant rt = single("wake-handoff")) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                GreenHandle<Void> x = parkedLogger("x", 1, order);
                Green.send(x.pid(), "go");                        // x -> the LIFO slot
                GreenHandle<Void> y = Green.spawn(() -> {          // y -> the back of the queue
                    order.add("y");
                });
                x.join(LIMIT);
                y.join(LIMIT);
            });
            assertThat(order).containsExactly("x", "y");
        }
    }

    @Test
    void aThreadWokenWhileOthersAreQueuedRunsAfterThem() {
        try (Verdant rt = single("wake-behind-queued")) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                GreenHandle<Void> x = parkedLogger("x", 1, order);
                GreenHandle<Void> y1 = Green.spawn(() -> {
                    order.add("y1");
                });
                GreenHandle<Void> y2 = Green.spawn(() -> {
                    order.add("y2");
                });
                Green.send(x.pid(), "go");                        // y1, y2 queued: x goes behind them
                x.join(LIMIT);
                y1.join(LIMIT);
                y2.join(LIMIT);
            });
            assertThat(order).containsExactly("y1", "y2", "x");
        }
    }

    @Test
    void aReceiverWokenBehindQueuedSendersTakesTheirMessagesInOneDispatch() {
        try (Verdant rt = single("wake-batch")) {
            List<Object> got = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                Pid self = Green.self();
                GreenHandle<Void> r = Green.spawn(() -> {
                    Green.send(self, "ready");
                    got.add(Green.receive());                     // parks; woken by the first sender
                    // Without parking again: the other senders ran before this receiver.
                    Optional<Object> second = Green.tryReceive();
                    Optional<Object> third = Green.tryReceive();
                    got.add(second.orElse("none"));
                    got.add(third.orElse("none"));
                });
                assertThat(Green.receive(LIMIT)).isEqualTo("ready");
                List<GreenHandle<Void>> senders = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    int n = i;
                    senders.add(Green.spawn(() -> {
                        Green.send(r.pid(), n);
                    }));
                }
                for (GreenHandle<Void> s : senders) {
                    s.join(LIMIT);
                }
                r.join(LIMIT);
            });
            assertThat(got).containsExactly(1, 2, 3);
        }
    }
}
