package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@link Signal} record a user makes and sends is a user message to a bounded
 * mailbox: counted, refused when the mailbox is full, dropped by DROP_OLDEST,
 * and its place given back when the owner takes it. Only the signals the
 * runtime itself delivers (exits, Downs) bypass the bound. Before, any message
 * of type Signal bypassed it, so a sender could fill a bounded mailbox without
 * limit by wrapping its messages in Signal.Down records.
 */
@Timeout(60)
class BoundedMailboxUserSignalTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private final ConcurrentLinkedQueue<Object> deadLetters = new ConcurrentLinkedQueue<>();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("user-signals")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** A receiver that waits for "go" (skipping the rest), then returns everything until "end". */
    private static List<Object> drainAfterGo() {
        Green.receive(m -> m.equals("go"));
        List<Object> out = new ArrayList<>();
        for (Object m = Green.receive(); !m.equals("end"); m = Green.receive()) {
            out.add(m);
        }
        return out;
    }

    private static Signal.Down userDown(int i) {
        return new Signal.Down(Green.self(), i, null);
    }

    @Test
    void aUserSignalIsCountedAndRefusedWhenTheMailboxIsFull() {
        rt.run(() -> {
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.bounded(2, Mailbox.Overflow.FAIL))
                    .spawn(BoundedMailboxUserSignalTest::drainAfterGo);
            assertThat(Green.send(r.pid(), userDown(1))).isTrue();
            assertThat(Green.send(r.pid(), userDown(2))).isTrue();
            assertThatThrownBy(() -> Green.send(r.pid(), userDown(3))).as("a third user signal")
                    .isInstanceOf(MailboxFullException.class);
            assertThatThrownBy(() -> Green.send(r.pid(), "plain")).as("a plain message after two user signals")
                    .isInstanceOf(MailboxFullException.class);
            r.cancel();
            return null;
        });
    }

    @Test
    void dropNewestDropsAUserSignalToAFullMailbox() {
        rt.run(() -> {
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.DROP_NEWEST))
                    .spawn(BoundedMailboxUserSignalTest::drainAfterGo);
            assertThat(Green.send(r.pid(), "first")).isTrue();
            assertThat(Green.send(r.pid(), userDown(1))).as("a user signal to a full mailbox").isFalse();
            r.cancel();
            return null;
        });
        assertThat(deadLetters).hasSize(1).first().isInstanceOf(Signal.Down.class);
    }

    @Test
    void takingAUserSignalGivesItsPlaceBack() {
        List<Object> got = rt.run(() -> {
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.blocking(1, LONG))
                    .spawn(() -> {
                        List<Object> out = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            out.add(Green.receive(LONG));
                        }
                        return out;
                    });
            // Each send waits for room, which only the owner's take of the previous one (a
            // user signal every other time) gives back: a place not given back would make a
            // send wait out its block timeout (MailboxFullException).
            for (int i = 0; i < 20; i++) {
                Green.send(r.pid(), i % 2 == 0 ? userDown(i) : (Object) i);
            }
            return r.join(LONG);
        });
        assertThat(got).hasSize(20);
        assertThat(got.get(0)).isInstanceOf(Signal.Down.class);
        assertThat(got.get(1)).isEqualTo(1);
    }

    @Test
    void dropOldestDropsAUserSignalAsItDropsAnyMessage() {
        List<Object> got = rt.run(() -> {
            Channel<Boolean> allSent = Channel.rendezvous();
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.bounded(2, Mailbox.Overflow.DROP_OLDEST))
                    .spawn(() -> {
                        allSent.receive(); // the owner's first look comes after all five sends
                        return drainAfterGo();
                    });
            Green.send(r.pid(), userDown(1));
            Green.send(r.pid(), "a");
            Green.send(r.pid(), "b");
            Green.send(r.pid(), "go");
            Green.send(r.pid(), "end");
            allSent.send(true);
            return r.join(LONG);
        });
        // Five counted, capacity 2: the owner's first look drops the three oldest, the user signal first.
        assertThat(deadLetters).hasSize(3).containsSubsequence("a", "b");
        assertThat(deadLetters.peek()).isInstanceOf(Signal.Down.class);
        assertThat(got).isEmpty();
    }

    @Test
    void aRuntimeSignalStillBypassesTheBoundAndTakesNoPlaceWhenTaken() {
        rt.run(() -> {
            GreenHandle<Void> gone = Green.spawn(() -> { });
            gone.join();
            GreenHandle<Object> r = Green.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL)).spawn(() -> {
                Green.send(Green.self(), "filler"); // full of user messages
                Green.monitor(gone.pid()); // a runtime Down (no such thread), past the bound
                Signal.Down down = Green.receive(Signal.Down.class, LONG);
                assertThat(down.pid()).isEqualTo(gone.pid());
                // Taking the runtime's Down gave no place back: "filler" still fills the mailbox.
                assertThatThrownBy(() -> Green.send(Green.self(), "more")).isInstanceOf(MailboxFullException.class);
                // A user Down equal to the runtime's is a user message: refused too.
                assertThatThrownBy(() -> Green.send(Green.self(), new Signal.Down(down.pid(), down.result(),
                        down.failure()))).isInstanceOf(MailboxFullException.class);
                return Green.receive(LONG);
            });
            assertThat(r.join(LONG)).isEqualTo("filler");
            return null;
        });
    }
}
