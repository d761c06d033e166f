package io.verdant.internal;

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
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code Green.blocking} caller cancelled while a pool thread is starting its
 * work (the call claimed, the pool thread not yet its recorded runner) stops
 * the work: the cancel must not fall between the claim and the record. The
 * interleaving is forced at the fault site BLOCKING_CALL_STARTING. Needs
 * -Dio.verdant.internal.faults=true.
 */
@Timeout(30)
class BlockingCancelRaceTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCancelWhileTheWorkIsStartingInterruptsTheWork() throws Exception {
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        SchedulerTestAccess.atSites((w, site) -> {
            // Faults are JVM-global: only this runtime's pool thread (another runtime's
            // Green.blocking call would otherwise be held here, and count as this one's).
            if (!site.equals("BLOCKING_CALL_STARTING")
                    || !Thread.currentThread().getName().startsWith("blocking-cancel-race-blocking-")) {
                return;
            }
            starting.countDown();
            try {
                assertThat(proceed.await(20, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        AtomicReference<String> work = new AtomicReference<>();
        CountDownLatch workDone = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).blockingThreads(1).name("blocking-cancel-race").build())) {
            GreenHandle<Object> caller = rt.spawn(() -> Green.blocking(() -> {
                try {
                    // Stands for work that blocks long: the caller's cancel must stop it.
                    new CountDownLatch(1).await(3, TimeUnit.SECONDS);
                    work.set("ended");
                } catch (InterruptedException e) {
                    work.set("interrupted");
                } finally {
                    workDone.countDown();
                }
                return null;
            }));
            assertThat(starting.await(10, TimeUnit.SECONDS)).as("the pool thread reached the site").isTrue();
            caller.cancel();
            try {
                caller.join(Duration.ofSeconds(10));
            } catch (RuntimeException cancelled) {
                // its end, however reported: the call threw CancelledException
            }
            assertThat(caller.isDone()).isTrue();
            proceed.countDown();
            assertThat(workDone.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(work.get()).as("the work of a call whose caller was cancelled").isEqualTo("interrupted");
        } finally {
            proceed.countDown();
        }
    }
}
