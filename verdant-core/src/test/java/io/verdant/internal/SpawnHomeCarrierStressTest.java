package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Priority;
import io.verdant.Verdant;
import io.verdant.internal.sched.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pid indices going home across carriers in a real runtime (PidTable, "Home
 * carriers"): two green threads spawn bursts of children on both carriers, and
 * each joins the other's children, so children end on either carrier and
 * their indices travel home in batches. While a child runs, its pid resolves
 * to it and no other running child has its index; once joined, its pid is
 * stale; at the end every thread is out of the table and the table has not
 * grown with the number of spawns.
 */
@Timeout(60)
class SpawnHomeCarrierStressTest {
    private static final int BURST = 64;
    private static final long MAX_SPAWNS = 300_000;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final int MAX_INDEX = 1 << 20;

    @Test
    void spawnsOnBothCarriersJoinedFromTheOtherNeverShareAnIndexAndGoStale() throws Exception {
        Config config = Config.builder().workers(2).name("spawn-home-stress")
                .shutdownTimeout(Duration.ofMillis(500)).build();
        try (Verdant rt = Verdant.start(config)) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            AtomicIntegerArray running = new AtomicIntegerArray(MAX_INDEX);
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            AtomicLong spawns = new AtomicLong();
            AtomicLong endedElsewhere = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            /** Children spawned and not yet joined (a bound on the live ones), and its peak. */
            java.util.concurrent.atomic.AtomicInteger unjoined = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
            List<ConcurrentLinkedQueue<GreenThread<Integer>>> toJoin =
                    List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
            long deadline = System.nanoTime() + RUN_NANOS;

            class Loop implements java.util.concurrent.Callable<Void> {
                final int me;

                Loop(int me) {
                    this.me = me;
                }

                private Integer child(int spawnedOn) {
                    GreenThread<?> self = GreenThread.current();
                    int i = self.index;
                    if (i >= MAX_INDEX || running.getAndIncrement(i) != 0) {
                        errors.add("index " + i + " held by two running threads");
                    }
                    if (core.pids.lookup(i, self.generation) != self) {
                        errors.add("a live thread's pid " + i + "/" + self.generation + " does not resolve to it");
                    }
                    Thread.yield();
                    running.decrementAndGet(i); // before the free: the index may be handed out again at once
                    Worker w = Worker.ofCaller();
                    if (w != null && w.index() != spawnedOn) {
                        endedElsewhere.incrementAndGet();
                    }
                    return i;
                }

                private void joinAll(ConcurrentLinkedQueue<GreenThread<Integer>> q) {
                    for (GreenThread<Integer> c = q.poll(); c != null; c = q.poll()) {
                        try {
                            c.join(Duration.ofSeconds(10));
                            unjoined.decrementAndGet();
                        } catch (Throwable t) {
                            errors.add("child " + c + " not completed: " + t);
                            continue;
                        }
                        if (core.pids.lookup(c.index, c.generation) != null) {
                            errors.add("a joined thread's pid " + c.index + "/" + c.generation + " still resolves");
                        }
                    }
                }

                @Override
                public Void call() {
                    ConcurrentLinkedQueue<GreenThread<Integer>> other = toJoin.get(1 - me);
                    while (!stop.get() && errors.isEmpty()) {
                        if (System.nanoTime() > deadline || spawns.get() >= MAX_SPAWNS) {
                            stop.set(true);
                            break;
                        }
                        // Spawns while the other loop keeps up (at most 4 bursts unjoined): a bounded peak.
                        if (unjoined.get() <= 3 * BURST) {
                            Worker w = Worker.ofCaller();
                            int on = w == null ? -1 : w.index();
                            for (int k = 0; k < BURST; k++) {
                                other.add(core.spawn(() -> child(on), null, Priority.NORMAL));
                                peak.accumulateAndGet(unjoined.incrementAndGet(), Math::max);
                            }
                            spawns.addAndGet(BURST);
                        } else {
                            Thread.yield();
                        }
                        joinAll(toJoin.get(me));
                    }
                    return null;
                }
            }

            List<GreenThread<Void>> loops = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                loops.add(core.spawn(new Loop(c), "loop-" + c, Priority.NORMAL));
            }
            for (GreenThread<Void> l : loops) {
                l.join(Duration.ofSeconds(30));
            }
            // Children of a loop that stopped first: joined here.
            for (ConcurrentLinkedQueue<GreenThread<Integer>> q : toJoin) {
                for (GreenThread<Integer> c = q.poll(); c != null; c = q.poll()) {
                    c.join(Duration.ofSeconds(10));
                    assertThat(core.pids.lookup(c.index, c.generation)).isNull();
                }
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (core.liveThreads() != 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            System.out.println("spawn-home-stress: " + spawns.get() + " spawns, " + endedElsewhere.get()
                    + " ended on another carrier than their spawner's, " + core.pids.indicesEverUsed()
                    + " indices ever used, peak of unjoined children " + peak.get());
            assertThat(errors).isEmpty();
            assertThat(core.liveThreads()).as("live count at the end").isZero();
            assertThat(core.pids.live()).as("threads left in the pid table").isZero();
            // The peak of live children, the loops and the test's own; the caches and batches add a constant.
            int carriers = config.workers() + config.maxSpareCarriers();
            assertThat(core.pids.indicesEverUsed()).as("indices for %d spawns", spawns.get())
                    .isLessThanOrEqualTo(peak.get() + 8
                            + carriers * (PidTable.LOCAL_MAX + PidTable.BATCH * (carriers + 1)));
        }
    }
}
