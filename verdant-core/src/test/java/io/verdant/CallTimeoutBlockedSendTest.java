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

    @Test
    void aCallToAMailboxThatStaysFullTimesOutAtTheCallsTimeout() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("call-blocked").build())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch probed = new CountDownLatch(1);
            AtomicInteger seen = new AtomicInteger();
            GreenHandle<Void> callee = callee(rt, Duration.ofSeconds(5), release, seen, probed);
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
            assertThat(ms).as("the call's 50 ms, not the mailbox's 5 s").isLessThan(2_000);
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
            GreenHandle<Void> callee = callee(rt, Duration.ofSeconds(5), release, seen, probed);
            rt.spawn(() -> {
                Green.sleep(Duration.ofMillis(400));
                release.countDown(); // room from now on, long after the call's 50 ms
            });
            long t0 = System.nanoTime();
            Object outcome = rt.<Object>run(() -> {
                try {
                    return Green.call(callee.pid(), (ReplyTo<String> to) -> new Req(to), Duration.ofMillis(50));
                } catch (TimedOutException | MailboxFullException e) {
                    return e;
                }
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(outcome).isInstanceOf(TimedOutException.class);
            assertThat(ms).as("the call's 50 ms").isLessThan(350);
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
            GreenHandle<Void> callee = callee(rt, Duration.ofSeconds(5), release, seen, probed);
            rt.spawn(() -> {
                Green.sleep(Duration.ofMillis(400));
                release.countDown();
            });
            long t0 = System.nanoTime();
            Object outcome;
            try {
                outcome = rt.call(callee.pid(), PidReq::new, String.class, Duration.ofMillis(50));
            } catch (TimedOutException | MailboxFullException e) {
                outcome = e;
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(outcome).isInstanceOf(TimedOutException.class);
            assertThat(ms).as("the call's 50 ms").isLessThan(350);
            release.await(10, TimeUnit.SECONDS);
            rt.send(callee.pid(), "probe");
            assertThat(probed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).as("a call that timed out did not send its request").isZero();
            callee.cancel();
        }
    }
}
