package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import io.verdant.internal.sched.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wake-up whose submission runs out of memory is retried by the JDK
 * (VirtualThread.submitRunContinuation parks 100 ms and submits again), and the
 * retry must queue the thread (GreenThread.execute). The one
 * allocation on that path is a full local ring's overflow batch; the fault site
 * OVERFLOW_ALLOCATING throws OutOfMemoryError there once. Before the fix the
 * failed submission kept the thread's token, so the retry found it taken and
 * was dropped, and the thread never ran; and the batch was allocated after the
 * ring's oldest half had been claimed, so those 128 tasks were lost too.
 *
 * One carrier, so nothing but the waker's own carrier touches its ring: the
 * waker fills it with no-op children, then unparks the sleeper.
 */
@Timeout(60)
class OverflowOutOfMemoryTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aWakeUpWhoseOverflowRunsOutOfMemoryIsRetriedAndLosesNothing() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("overflow-oom")
                .stallThreshold(Duration.ofSeconds(30)).timeslice(Duration.ofSeconds(30)).build())) {
            AtomicBoolean armed = new AtomicBoolean();
            AtomicInteger fired = new AtomicInteger();
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only this runtime's carriers (the waker's), not the first
                // carrier of any runtime alive whose ring overflows while it is armed.
                if (site.equals("OVERFLOW_ALLOCATING") && w != null && w.getName().startsWith("overflow-oom-")
                        && armed.compareAndSet(true, false)) {
                    fired.incrementAndGet();
                    throw new OutOfMemoryError("injected: the overflow batch's allocation failed");
                }
            });
            AtomicBoolean go = new AtomicBoolean();
            GreenHandle<Integer> sleeper = rt.spawn(() -> {
                while (!go.get()) {
                    LockSupport.park();
                }
                return 42;
            });
            Thread sleeperThread = ((GreenThread<?>) sleeper).vthread();
            GreenHandle<List<GreenHandle<Integer>>> waker = rt.spawn(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (sleeperThread.getState() != Thread.State.WAITING) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the sleeper never parked");
                    }
                    Green.yield();
                }
                Worker carrier = Worker.ofCaller();
                int level = ((GreenThread<?>) sleeper).priorityLevel();
                List<GreenHandle<Integer>> children = new ArrayList<>();
                while (SchedulerTestAccess.localRoom(carrier, level) > 0) {
                    int k = children.size();
                    children.add(Green.spawn(() -> k));
                }
                go.set(true);
                armed.set(true);
                LockSupport.unpark(sleeperThread); // overflows the full ring: OutOfMemoryError, retried
                return children;
            });
            List<GreenHandle<Integer>> children = waker.join(Duration.ofSeconds(30));
            assertThat(fired.get()).as("the wake-up's overflow failed once").isEqualTo(1);
            assertThat(sleeper.join(Duration.ofSeconds(20))).as("the retried wake-up ran the sleeper").isEqualTo(42);
            assertThat(children).as("the waker filled a ring").isNotEmpty();
            for (int k = 0; k < children.size(); k++) {
                assertThat(children.get(k).join(Duration.ofSeconds(20))).as("child %d of the full ring ran", k).isEqualTo(k);
            }
        }
    }
}
