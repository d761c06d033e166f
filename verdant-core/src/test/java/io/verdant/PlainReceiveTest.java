package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Green.receive()} with no filter and no timeout has a path of its own
 * (ActorCell.receiveAny, issue 11's wake benchmark): the same outcomes as every
 * other receive, checked here where the paths could differ: the entry check,
 * the save queue, waking a parked receiver, and cancellation while it waits.
 */
@Timeout(60)
class PlainReceiveTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("plain-receive").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Spins (yielding) until {@code h} is parked; the class timeout ends a test that never gets there. */
    private static void awaitWaiting(GreenHandle<?> h) {
        while (h.state() != GreenState.WAITING) {
            Green.yield();
        }
    }

    @Test
    void aParkedReceiverIsWokenByEachSendInOrder() {
        GreenHandle<String> r = rt.spawn(() -> {
            Object a = Green.receive();
            Object b = Green.receive();
            return a + "," + b;
        });
        rt.run(() -> {
            awaitWaiting(r);
            Green.send(r.pid(), "one");
            awaitWaiting(r);
            Green.send(r.pid(), "two");
            return null;
        });
        assertThat(r.join()).isEqualTo("one,two");
    }

    @Test
    void savedMessagesComeFirstThenItWaits() {
        Object[] got = rt.run(() -> {
            Pid self = Green.self();
            Green.send(self, "x");
            Green.send(self, 1);
            Object first = Green.receive(Integer.class); // "x" is skipped into the save queue
            Object second = Green.receive();             // the saved "x", without waiting
            Green.spawn(() -> Green.send(self, "late"));
            Object third = Green.receive();              // waits for it
            return new Object[] {first, second, third, Green.mailboxSize()};
        });
        assertThat(got).containsExactly(1, "x", "late", 0);
    }

    @Test
    void anInterruptBeforeEntryThrowsAndTakesNothing() {
        Object got = rt.run(() -> {
            Green.send(Green.self(), "kept");
            Thread.currentThread().interrupt();
            assertThatThrownBy(Green::receive).isInstanceOf(CancelledException.class);
            assertThat(Thread.interrupted()).isTrue();
            return Green.receive();
        });
        assertThat(got).isEqualTo("kept");
    }

    @Test
    void anInterruptWhileParkedThrowsAndALaterReceiveStillWorks() {
        Object got = rt.run(() -> {
            Thread me = Thread.currentThread();
            Pid self = Green.self();
            GreenHandle<Void> h = Green.spawn(() -> {
                while (me.getState() != Thread.State.WAITING) {
                    Green.yield();
                }
                me.interrupt();
            });
            assertThatThrownBy(Green::receive).isInstanceOf(CancelledException.class);
            assertThat(Thread.interrupted()).isTrue();
            h.join();
            Green.spawn(() -> Green.send(self, "after"));
            return Green.receive();
        });
        assertThat(got).isEqualTo("after");
    }

    @Test
    void cancellingAParkedReceiverEndsItCancelled() {
        GreenHandle<Object> r = rt.spawn(() -> Green.receive());
        rt.run(() -> {
            awaitWaiting(r);
            return null;
        });
        r.cancel();
        assertThatThrownBy(r::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
    }

    @Test
    void aCancelledTokenIsSeenAtEntryWithoutAnInterrupt() {
        GreenHandle<Object> r = rt.spawn(() -> {
            Green.send(Green.self(), "unread");
            Green.cancelToken().cancel();
            Thread.interrupted(); // only the token says cancelled now
            return Green.receive();
        });
        assertThatThrownBy(r::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
    }
}
