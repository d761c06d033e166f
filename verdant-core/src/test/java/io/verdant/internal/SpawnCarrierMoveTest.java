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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * RuntimeCore.create asks once which carrier runs the spawner and then uses that
 * carrier's pid-index cache (PidTable.allocate(t, carrier)), relying on nothing
 * in between unmounting the spawner (PidTable, "Free indices"). But the virtual
 * thread's construction in between runs user code: the JDK copies the
 * spawner's inheritable thread locals into the new thread, calling
 * InheritableThreadLocal.childValue, which may park (or block on a contended
 * monitor, which unmounts a virtual thread). A spawner that comes back on the
 * other carrier then pops an index from the first carrier's cache while that
 * carrier's own green threads push and pop it: two threads can be given one
 * index (the later publication overwrites the earlier in the slot, and the
 * earlier thread can then never empty its slot, so it is never completed), or
 * an index is lost.
 *
 * <p>Churners spawn and join on both carriers (their carriers' caches in
 * constant use); a mover spawns with an inheritable thread local whose
 * childValue parks until the mover is on another carrier. Every spawned thread
 * must be completed, and the live count must come back to zero.
 */
@Timeout(90)
class SpawnCarrierMoveTest {
    /** How long each run spawns: without the fix, the move run failed within this in 3 of 3 runs. */
    private static final long RUN_SECONDS = 4;
    private static final AtomicBoolean MOVE = new AtomicBoolean();
    private static final AtomicLong MOVES = new AtomicLong();

    private static final InheritableThreadLocal<Object> INHERITED = new InheritableThreadLocal<>() {
        @Override
        protected Object childValue(Object parentValue) {
            if (MOVE.get()) {
                Worker before = Worker.ofCaller();
                for (int i = 0; i < 50 && Worker.ofCaller() == before; i++) {
                    LockSupport.parkNanos(20_000); // woken from a JDK timer thread: either carrier may take it
                }
                if (before != null && Worker.ofCaller() != before) {
                    MOVES.incrementAndGet();
                }
            }
            return parentValue;
        }
    };

    @Test
    void aSpawnerMovedToAnotherCarrierWhileSpawningNeverSharesAnIndex() throws Exception {
        run(true);
    }

    /** The same load with a childValue that does not park: the spawner never moves mid-spawn. */
    @Test
    void control() throws Exception {
        run(false);
    }

    /** Spawns a child and joins it until {@code stop}; a child not completed in 10 s is the failure. */
    private static Void spawnAndJoinUntil(RuntimeCore core, AtomicBoolean stop, AtomicLong spawns,
                                          AtomicReference<Throwable> failure, String who) {
        while (!stop.get()) {
            GreenThread<Integer> child = core.spawn(() -> 1, null, Priority.NORMAL);
            spawns.incrementAndGet();
            try {
                child.join(Duration.ofSeconds(10));
            } catch (Throwable t) {
                failure.compareAndSet(null, new AssertionError(who + "'s child " + child + " was not completed", t));
                return null;
            }
        }
        return null;
    }

    private static void run(boolean move) throws Exception {
        String name = "spawn-carrier-move-" + move;
        MOVES.set(0);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name(name)
                .shutdownTimeout(Duration.ofMillis(500)).build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong spawns = new AtomicLong();
            List<GreenThread<?>> loops = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                String who = "churner-" + c;
                loops.add(core.spawn(() -> spawnAndJoinUntil(core, stop, spawns, failure, who), who, Priority.NORMAL));
            }
            MOVE.set(move);
            loops.add(core.spawn(() -> {
                INHERITED.set("inherited");
                return spawnAndJoinUntil(core, stop, spawns, failure, "mover");
            }, "mover", Priority.NORMAL));
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
                while (System.nanoTime() < end && failure.get() == null) {
                    Thread.sleep(50);
                }
            } finally {
                stop.set(true);
                MOVE.set(false);
            }
            for (GreenThread<?> l : loops) {
                try {
                    l.join(Duration.ofSeconds(30));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (core.liveThreads() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.println(name + ": " + spawns.get() + " spawns, " + MOVES.get()
                    + " spawners moved to the other carrier mid-spawn, live at the end " + core.liveThreads()
                    + ", table " + core.pids.live());
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            if (move) {
                org.assertj.core.api.Assertions.assertThat(MOVES.get()).as("spawners moved mid-spawn").isPositive();
            }
            org.assertj.core.api.Assertions.assertThat(core.liveThreads()).as("live count at the end").isZero();
            org.assertj.core.api.Assertions.assertThat(core.pids.live()).as("threads left in the pid table").isZero();
        }
    }
}
