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
 * An onComplete callback registered as its thread ends, after the ending thread
 * looked for callbacks to count with the runtime (fault site CALLBACKS_COUNTED:
 * the ending thread held there while the callback is registered), still runs on
 * the ended thread. Close waits for such a callback as for any other: one that
 * parked was left parked by a close made well after, which saw neither a live
 * thread nor a counted callback and stopped the carriers under it.
 */
@Timeout(60)
class LateCallbackCloseTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @RepeatedTest(3)
    void aCallbackRegisteredAsItsThreadEndsFinishesBeforeCloseReturns() throws Exception {
        AtomicReference<Thread> ending = new AtomicReference<>();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch callbackParked = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("CALLBACKS_COUNTED") && Thread.currentThread() == ending.get()) {
                reached.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Verdant rt = Verdant.start(Config.builder().workers(2).name("late-callback-close").build());
        try {
            Channel<Integer> go = Channel.rendezvous();
            GreenHandle<Void> h = rt.spawn(() -> {
                go.receive();
            });
            ending.set(((GreenThread<?>) h).virtualThread());
            go.send(1);
            assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
            h.onComplete((v, e) -> {
                callbackParked.countDown();
                Green.sleep(Duration.ofMillis(100));
                done.set(true);
            });
            release.countDown();
            assertThat(callbackParked.await(10, TimeUnit.SECONDS)).as("the callback ran on the ended thread").isTrue();
        } finally {
            release.countDown();
            rt.close();
        }
        assertThat(done).as("the callback finished before close returned").isTrue();
    }
}
