package io.verdant.internal.sched;

import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Priority;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For tests that assert that something a live runtime ran is no longer reachable:
 * overwrites the stale slots of its carriers' local queues first.
 *
 * <p>A popped slot of a carrier's ring keeps its task until the ring comes round
 * to it (LocalQueue, "Stale references": at most {@link LocalQueue#CAPACITY} per
 * level per carrier, so bounded). An ended green thread left there is reachable,
 * and with it what it still points to (its token's parent link, the previous
 * relay thread's: RelayChainCancelTest failed 2 of 5 loaded runs so), although
 * nothing the test checks keeps it. So a test that asserts "X is collected" of
 * a live runtime calls {@link #overwrite} before it looks, and a failure that
 * remains is the runtime's.
 */
public final class StaleQueueSlots {
    /** Spawns per carrier and level that pass every slot of its ring at least twice. */
    static final int RING_PASSES = 2 * LocalQueue.CAPACITY;

    private StaleQueueSlots() {
    }

    /**
     * Has each of the first {@code carriers} carriers of {@code rt} spawn, at every
     * priority level, a ring's worth of threads that end at once, twice over, so that
     * no slot of its local queues still holds a task run before the call. Counts only
     * the spawns a thread made on one carrier from start to end (one preempted and
     * moved in between may have pushed on either), and spawns again until every
     * carrier's every level has its count, for up to 30 s; then waits, up to 30 s,
     * until no spare carrier is alive. Any thread but a green thread of {@code rt}
     * (it waits for the spawners).
     *
     * @param rt a live runtime
     * @param carriers its number of carriers ({@code Config.workers})
     */
    public static void overwrite(Verdant rt, int carriers) throws InterruptedException {
        ConcurrentHashMap<Integer, Integer> pushed = new ConcurrentHashMap<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!passed(pushed, carriers) && System.nanoTime() < end) {
            List<GreenHandle<Void>> spawners = new ArrayList<>();
            for (int i = 0; i < carriers; i++) {
                spawners.add(rt.spawn(() -> {
                    for (Priority p : Priority.values()) {
                        for (int k = 0; k < RING_PASSES; k++) {
                            Worker before = Worker.ofCaller();
                            Green.spawner().priority(p).spawn(() -> { });
                            if (before != null && Worker.ofCaller() == before) {
                                pushed.merge(key(before.index(), p), 1, Integer::sum);
                            }
                        }
                    }
                }));
            }
            for (GreenHandle<Void> s : spawners) {
                s.join(Duration.ofSeconds(30));
            }
        }
        assertThat(passed(pushed, carriers)).as("every carrier ran through its rings: %s", pushed).isTrue();
        // A spare carrier (started for a carrier stalled on a loaded machine) is not flushed
        // here: its retirement, once the stalled carrier runs again, clears its rings
        // (Worker.drainToInjection; before, a retired spare reachable from a live thread it
        // had run kept them: RetiredSpareKeepsNoThreadTest). So wait for every spare to go.
        long retired = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rt.metrics().sparesAlive() > 0 && System.nanoTime() < retired) {
            Thread.sleep(5);
        }
        assertThat(rt.metrics().sparesAlive()).as("spare carriers still alive").isZero();
    }

    private static int key(int carrier, Priority p) {
        return carrier * Scheduler.LEVELS + p.level();
    }

    private static boolean passed(ConcurrentHashMap<Integer, Integer> pushed, int carriers) {
        for (int i = 0; i < carriers; i++) {
            for (Priority p : Priority.values()) {
                if (pushed.getOrDefault(key(i, p), 0) < RING_PASSES) {
                    return false;
                }
            }
        }
        return true;
    }
}
