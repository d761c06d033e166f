package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call whose request waits for room in a full BLOCK mailbox: the call's own
 * timeout bounds the whole call, the wait for room included. Before, the
 * request waited up to the mailbox's block timeout and the reply then had the
 * call's full timeout again: a 50 ms call took seconds, and returned a reply
 * or a MailboxFullException long after its time was up.
 */
@Timeout(60)
class CallTimeoutBlockedSendTest {
    record Req(ReplyTo<String> to) {
    }

    record PidReq(Pid replyTo) {
    }

    /** A callee with a BLOCK mailbox of one, kept full until {@code release}; it counts the calls it sees. */
    private static GreenHandle<Void> callee(Verdant rt, Duration block, CountDownLatch release, AtomicInteger seen,
                                            CountDownLatch probed) {
        GreenHandle<Void> h = rt.spawner().mailbox(Mailbox.blocking(1, block)).spawn(() -> {
            release.await();
            for (;;) {
                Object m = Green.receive();
                if (m instanceof Req r) {
                    seen.incrementAndGet();
                    r.to().reply("reply");
                } else if (m instanceof PidReq r) {
                    seen.incrementAndGet();
                    Green.send(r.replyTo(), "reply");
                } else if (m.equals("probe")) {
                    probed.countDown();
                }
            }
        });
        assertThat(rt.send(h.pid(), "filler")).isTrue();
        return h;
    }

    /**
     * The callee's mailbox block timeout: far above the calls' 50 ms, so that a call
     * bounded by it (as before) shows however slowly a loaded machine runs the test.
     */
    private static final Duration BLOCK = Duration.ofSeconds(20);

    /**
     * Room in the callee's mailbox (well within its BLOCK timeout) at the latest:
     * a call that waited for room up to the mailbox's block timeout, as before, got it
     * then and returned the reply (or a late timeout) after this long. A passing call
     * never waits for it (room comes once the call has returned); it is long so that a
     * caller descheduled under load still returns before it.
     */
    private static final Duration ROOM_AT_THE_LATEST = Duration.ofSeconds(10);

    /**
     * Makes room ({@code release}) once the call {@code returned}, or after
     * ROOM_AT_THE_LATEST: after the call's own timeout, however late a loaded
     * machine runs the caller. (With room at a fixed 400 ms and a 350 ms bound,
     * calls descheduled under load took 360-753 ms; and a caller woken by room
     * takes it before it looks at its deadline, so it would have sent its request.)
     */
    private static void roomOnceReturned(Verdant rt, CountDownLatch returned, CountDownLatch release) {
        rt.spawn(() -> {
            returned.await(ROOM_AT_THE_LATEST.toMillis(), TimeUnit.MILLISECONDS);
            release.countDown();
            return null;
        });
    }

    @Test
    void aCallToAMailboxThatStaysFullTimesOutAtTheCallsTimeout() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("call-blocked").build())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch probed = new CountDownLatch(1);
            AtomicInteger seen = new AtomicInteger();
            GreenHandle<Void> callee = callee(rt, BLOCK, release, seen, probed);
            long t0 = System.nanoTime();
            Object outcome = rt.<Object>run(() -> {
                try {
                    return Green.call(callee.pid(), (ReplyTo<String> to) -> new Req(to), Duration.ofMillis(50));
                } catch (TimedOutException | MailboxFullException e) {
                    return e;
                }
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            release.countDown();
            assertThat(outcome).isInstanceOf(TimedOutException.class);
            assertThat(ms).as("the call's 50 ms, not the mailbox's %d s", BLOCK.toSeconds())
                    .isLessThan(BLOCK.toMillis() / 2);
            rt.send(callee.pid(), "probe"); // blocks for room while the callee drains
            assertThat(probed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).as("a call that timed out did not send its request").isZero();
            callee.cancel();
        }
    }

    @Test
    void aCallWhoseRequestGetsRoomAfterItsTimeoutTimesOutAndSendsNothing() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("call-blocked-late").build())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch probed = new CountDownLatch(1);
            AtomicInteger seen = new AtomicInteger();
            GreenHandle<Void> callee = callee(rt, BLOCK, release, seen, probed);
            CountDownLatch returned = new CountDownLatch(1);
            roomOnceReturned(rt, returned, release);
            long t0 = System.nanoTime();
            Object outcome = rt.<Object>run(() -> {
                try {
                    return Green.call(callee.pid(), (ReplyTo<String> to) -> new Req(to), Duration.ofMillis(50));
                } catch (TimedOutException | MailboxFullException e) {
                    return e;
                }
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            returned.countDown();
            assertThat(outcome).isInstanceOf(TimedOutException.class);
            assertThat(ms).as("the call's 50 ms, not the room's %d ms", ROOM_AT_THE_LATEST.toMillis())
                    .isLessThan(ROOM_AT_THE_LATEST.toMillis() * 3 / 4);
            release.await(10, TimeUnit.SECONDS);
            rt.send(callee.pid(), "probe");
            assertThat(probed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).as("a call that timed out did not send its request").isZero();
            callee.cancel();
        }
    }

    /** The same for Verdant.call from a platform thread: its timeout bounds the whole call too. */
    @Test
    void aRuntimeCallWhoseRequestGetsRoomAfterItsTimeoutTimesOutAndSendsNothing() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("rt-call-blocked").build())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch probed = new CountDownLatch(1);
            AtomicInteger seen = new AtomicInteger();
            GreenHandle<Void> callee = callee(rt, BLOCK, release, seen, probed);
            CountDownLatch returned = new CountDownLatch(1);
            roomOnceReturned(rt, returned, release);
            long t0 = System.nanoTime();
            Object outcome;
            try {
                outcome = rt.call(callee.pid(), PidReq::new, String.class, Duration.ofMillis(50));
            } catch (TimedOutException | MailboxFullException e) {
                outcome = e;
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            returned.countDown();
            assertThat(outcome).isInstanceOf(TimedOutException.class);
            assertThat(ms).as("the call's 50 ms, not the room's %d ms", ROOM_AT_THE_LATEST.toMillis())
                    .isLessThan(ROOM_AT_THE_LATEST.toMillis() * 3 / 4);
            release.await(10, TimeUnit.SECONDS);
            rt.send(callee.pid(), "probe");
            assertThat(probed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).as("a call that timed out did not send its request").isZero();
            callee.cancel();
        }
    }
}
