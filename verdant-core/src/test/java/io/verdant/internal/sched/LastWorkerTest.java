package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Task#lastWorker()} names the carrier a task runs on while it runs, also
 * after the task moved to another carrier. Worker.runTask stores it only when it
 * changes (issue 11: a task that stays on its carrier skips the store and its GC
 * write barrier), and Scheduler.submit relies on it to recognise a wake-up made by
 * the green thread running on a carrier (its LIFO slot) and the carrier's own
 * re-submissions.
 */
@Timeout(120)
class LastWorkerTest {

    /** After a yield or sleep: counts in {@code wrong} if lastWorker() is not running {@code self}; true if it is not {@code first}. */
    private static boolean check(GreenThread<?> self, Worker first, AtomicInteger wrong) {
        Worker w = self.lastWorker();
        if (w.currentTask() != self) {
            wrong.incrementAndGet();
        }
        return w != first;
    }

    /**
     * Two carriers, four threads yielding (an idle carrier steals, so threads
     * move between the carriers) and sleeping (a timer's wake-up is injected and
     * taken by either carrier). After every yield and sleep each thread checks
     * that its lastWorker() is running it now, and keeps going until it has run
     * on both carriers (bounded in rounds and time).
     */
    @Test
    void lastWorkerIsTheCarrierRunningTheTaskAcrossMoves() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("lastworker").build())) {
            AtomicInteger wrong = new AtomicInteger();
            AtomicInteger moved = new AtomicInteger();
            rt.run(() -> {
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    hs.add(Green.spawn(() -> {
                        GreenThread<?> self = GreenThread.current();
                        Worker first = self.lastWorker();
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        boolean seenOther = false;
                        for (int i = 0; i < 5_000 && (!seenOther || i < 50) && System.nanoTime() < deadline; i++) {
                            for (int y = 0; y < 20; y++) {
                                Green.yield();
                                seenOther |= check(self, first, wrong);
                            }
                            // Woken by the timer thread: the wake-up is injected, and whichever
                            // carrier takes it runs the thread next (a move, often).
                            Green.sleep(Duration.ofMillis(1));
                            seenOther |= check(self, first, wrong);
                        }
                        if (seenOther) {
                            moved.incrementAndGet();
                        }
                    }));
                }
                for (GreenHandle<Void> h : hs) {
                    h.join(Duration.ofSeconds(60));
                }
                return null;
            });
            System.out.printf("lastWorker: threads that moved=%d, wrong=%d%n", moved.get(), wrong.get());
            assertThat(wrong.get()).as("yields after which lastWorker() was not running the thread").isZero();
            assertThat(moved.get()).as("threads that ran on both carriers").isPositive();
        }
    }
}
