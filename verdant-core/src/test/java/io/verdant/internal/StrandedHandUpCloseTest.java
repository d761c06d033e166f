package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An ending thread hands its live children up to the token it is registered under
 * (CancelNode.threadEnded) after it has emptied its pid slot; when that token was
 * cancelled meanwhile (its mark set, its walk not yet at this thread), the ending
 * thread cancels each adopted child itself, running the child's onCancel actions.
 * One that parks unmounts the ending thread; if close stops the carriers then, the
 * thread is never resumed and close's abandon (the pid table) does not see it: its
 * join never returned, its onComplete never ran and liveThreads() stayed 1. The
 * window is forced with the fault site CANCEL_MARKED.
 */
@Timeout(60)
class StrandedHandUpCloseTest {
    @AfterEach
    void hooksOff() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aThreadCancellingAnAdoptedChildInItsEndAtCloseIsCompleted() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("hand-up-stranded")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        CountDownLatch hold = new CountDownLatch(1);
        try {
            CancelToken token = CancelToken.create();
            CountDownLatch childReady = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch inOnCancel = new CountDownLatch(1);
            GreenHandle<String> ender = rt.spawner().cancelWith(token).spawn(() -> {
                Green.spawn(() -> {
                    Green.cancelToken().onCancel(() -> {
                        inOnCancel.countDown();
                        awaitIgnoringInterrupts(hold); // parks the canceller: the ending thread
                    });
                    childReady.countDown();
                    awaitIgnoringInterrupts(hold);
                });
                awaitIgnoringInterrupts(childReady);
                awaitIgnoringInterrupts(go);
                return "done";
            });
            CountDownLatch completed = new CountDownLatch(1);
            ender.onComplete((v, f) -> completed.countDown());
            assertThat(childReady.await(10, TimeUnit.SECONDS)).isTrue();

            AtomicReference<Thread> canceller = new AtomicReference<>();
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicBoolean inWindow = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                if (site.equals("CANCEL_MARKED") && Thread.currentThread() == canceller.get()
                        && armed.compareAndSet(true, false)) {
                    // The token is marked, its children not walked: the thread ends now,
                    // hands its child up to the cancelled token and cancels it itself.
                    go.countDown();
                    try {
                        inWindow.set(inOnCancel.await(30, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Thread c = Thread.ofPlatform().unstarted(token::cancel);
            canceller.set(c);
            c.start();
            c.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(c.isAlive()).as("the canceller returned").isFalse();
            SchedulerTestAccess.atSites(null);
            assertThat(inWindow.get()).as("the ending thread ran the adopted child's onCancel").isTrue();

            // Close runs whole while the ending thread is parked in that onCancel, off its carrier.
            Thread closer = Thread.ofPlatform().start(rt::close);
            closer.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(closer.isAlive()).as("close returned").isFalse();

            assertThat(rt.liveThreads()).as("live count after close").isZero();
            assertThat(ender.isDone()).as("the ending thread's handle is done").isTrue();
            assertThat(ender.join(Duration.ofSeconds(5))).as("join returns the result").isEqualTo("done");
            assertThat(completed.await(10, TimeUnit.SECONDS)).as("onComplete ran").isTrue();
        } finally {
            hold.countDown();
            rt.close();
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException ignored) {
                // cancellation interrupts: wait on
            }
        }
    }
}
