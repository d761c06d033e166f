package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A bounded mailbox tells the runtime's signals (never counted) from the ones a
 * program sends (counted) by identity. A thread's Down reached every monitor as
 * one instance, so a monitor that forwarded the Down it got to another monitor
 * of the same thread put that instance in its mailbox twice: once as the
 * runtime's, once as a user message. The owner's take of the runtime's copy,
 * the older, then counted as the take of the user's: its place was given back
 * while the user's copy was still queued, and a mailbox of capacity 1 admitted
 * a second user message (BoundedMailboxUserSignalTest covers signals a program
 * makes itself).
 */
@Timeout(60)
class BoundedMailboxForwardedDownTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("forwarded-down").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** One monitor of the victim with a FAIL mailbox of capacity 1, driven step by step through channels. */
    private static final class Receiver {
        final Channel<Boolean> ready = Channel.rendezvous();
        final Channel<Boolean> ask = Channel.rendezvous();
        final Channel<Integer> size = Channel.rendezvous();
        final Channel<Boolean> forwarded = Channel.rendezvous();
        final Channel<Boolean> took = Channel.rendezvous();
        final Channel<Boolean> finish = Channel.rendezvous();
        GreenHandle<Object> handle;

        void spawn(Pid victim) {
            handle = Green.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL)).spawn(() -> {
                Green.monitor(victim);
                ready.send(true);
                ask.receive();
                size.send(Green.mailboxSize()); // 1: the runtime's Down is queued already
                forwarded.receive();
                Object first = Green.receive(LONG); // the oldest of the two
                took.send(true);
                finish.receive();
                return first;
            });
            ready.receive();
        }
    }

    @Test
    void takingTheRuntimesCopyOfAForwardedDownGivesNoPlaceBack() {
        int checked = rt.run(() -> {
            GreenHandle<Object> victim = Green.spawn(() -> Green.receive());
            // One receiver monitors before this thread, one after: whichever order an exit
            // tells its monitors in, one of them has the runtime's Down queued before this
            // thread gets its own (told in one pass by the victim's exit), so before the forward.
            Receiver before = new Receiver();
            before.spawn(victim.pid());
            Green.monitor(victim.pid());
            Receiver after = new Receiver();
            after.spawn(victim.pid());
            Green.send(victim.pid(), "end");
            Signal.Down down = Green.receive(Signal.Down.class, LONG);
            int n = 0;
            for (Receiver r : new Receiver[] {before, after}) {
                r.ask.send(true);
                boolean runtimesFirst = r.size.receive() == 1;
                assertThat(Green.send(r.handle.pid(), down)).as("the forward: the only user message").isTrue();
                r.forwarded.send(true);
                r.took.receive();
                if (runtimesFirst) {
                    n++;
                    // It took the runtime's Down (the older): the forwarded one still fills its only place.
                    assertThatThrownBy(() -> Green.send(r.handle.pid(), "plain"))
                            .as("a user message while the forwarded Down is queued in a mailbox of capacity 1")
                            .isInstanceOf(MailboxFullException.class);
                }
                r.finish.send(true);
                assertThat(r.handle.join(LONG)).isInstanceOf(Signal.Down.class);
            }
            return n;
        });
        assertThat(checked).as("receivers whose runtime Down came before the forward").isGreaterThanOrEqualTo(1);
    }
}
