package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A late reply to {@code rt.call} whose send found the temporary calling thread
 * alive but appended only after that thread had ended and dead-lettered what
 * its mailbox held (fault site SEND_LOOKED_UP: the callee's send held between
 * its look-up and its append until the calling thread has terminated). The
 * reply then sat in a dead mailbox: {@code Green.send} returned true and it was
 * neither the call's result nor a dead letter, against {@code Verdant.call}'s
 * javadoc (VerdantCallLateReplyTest saw it as a rare miss under load). The
 * ended thread's mailbox is now closed: such a late append is dead-lettered by
 * its sender.
 *
 * <p>The call ends when the held send has found its calling thread: the hook
 * interrupts the caller of {@code rt.call} (whose long timeout never fires). With
 * a 50 ms call timeout instead, a callee that a loaded machine ran later than that
 * found the calling thread ended already: no held send, nothing tested, and the
 * test failed.
 */
@Timeout(60)
class VerdantCallLateReplyRaceTest {
    record Req(Pid replyTo) {
    }

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @RepeatedTest(3)
    void aReplyAppendedAfterTheCallerEndedIsADeadLetter() throws Exception {
        CountDownLatch deadLettered = new CountDownLatch(1);
        AtomicReference<Thread> holdUntilEnded = new AtomicReference<>();
        AtomicBoolean held = new AtomicBoolean();
        AtomicBoolean delivered = new AtomicBoolean();
        Thread testThread = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("SEND_LOOKED_UP") && w != null && w.getName().startsWith("rt-call-late-race-")) {
                Thread caller = holdUntilEnded.getAndSet(null);
                if (caller != null) {
                    try {
                        // The reply's send found the caller alive; now the call ends (its caller is
                        // interrupted), and the send appends once the calling thread has ended and
                        // run its end callbacks (its thread has terminated).
                        testThread.interrupt();
                        held.set(caller.join(Duration.ofSeconds(20)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("rt-call-late-race")
                .deadLetterHandler((p, m) -> {
                    if (m instanceof Integer) {
                        deadLettered.countDown();
                    }
                }).build())) {
            GreenHandle<Void> callee = rt.spawn(() -> {
                Req r = Green.receive(Req.class);
                GreenThread<?> caller = (GreenThread<?>) rt.handle(r.replyTo()).orElseThrow();
                holdUntilEnded.set(caller.virtualThread());
                delivered.set(Green.send(r.replyTo(), 42));
            });
            try {
                rt.call(callee.pid(), Req::new, Integer.class, Duration.ofSeconds(30));
                throw new AssertionError("the call got a reply its callee sent only after the call ended");
            } catch (CancelledException expected) {
                // the reply comes later
            } finally {
                assertThat(Thread.interrupted()).as("the caller was interrupted by the held send").isTrue();
            }
            callee.join(Duration.ofSeconds(30));
            assertThat(held.get()).as("the send was held until the caller's thread had terminated").isTrue();
            assertThat(deadLettered.await(5, TimeUnit.SECONDS))
                    .as("the late reply (send returned " + delivered.get() + ") is a dead letter").isTrue();
        }
    }
}
