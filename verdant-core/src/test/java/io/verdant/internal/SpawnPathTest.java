package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.RuntimeMetrics;
import io.verdant.Verdant;
import io.verdant.internal.sched.Worker;
import io.verdant.internal.vthread.VirtualThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-child path asks which carrier it runs on once per spawn and once per
 * exit (RuntimeCore.carrierOfCaller, passed to the pid table, the live count and
 * the exit counter), and finds the current green thread from the handler field
 * (VirtualThreads.currentHandler). A wrong carrier index would make the counts
 * go to the shared cells ("elsewhere") or to another carrier's single-writer
 * cell; a wrong current thread would break every Green.* call. Here: the
 * answers themselves on each kind of thread, and exact counts after many
 * spawns, with every exit of a green thread counted on its carrier.
 */
@Timeout(120)
class SpawnPathTest {

    @Test
    void carrierOfCallerNamesTheCarrierOnlyForThisRuntimesGreenThreads() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spawn-path-carrier").build());
             Verdant other = Verdant.start(Config.builder().workers(1).name("spawn-path-other").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            RuntimeCore otherCore = other.run(() -> GreenThread.current().runtime());
            int[] seen = rt.run(() -> {
                Worker w = Worker.ofCaller();
                return new int[] {core.carrierOfCaller(), w.index(), otherCore.carrierOfCaller()};
            });
            assertThat(seen[0]).isEqualTo(seen[1]).isBetween(0, 1);
            assertThat(seen[2]).as("another runtime's green thread").isEqualTo(-1);
            assertThat(core.carrierOfCaller()).as("a platform thread").isEqualTo(-1);
            AtomicReference<Object> inVirtual = new AtomicReference<>();
            Thread.ofVirtual().start(() -> inVirtual.set(new Object[] {core.carrierOfCaller(), GreenThread.current()}))
                    .join(Duration.ofSeconds(60));
            assertThat((Object[]) inVirtual.get()).as("a default virtual thread").containsExactly(-1, null);
            Object[] foreign = rt.run(() -> {
                // A virtual thread made inside a green thread inherits its executor (foreign work):
                // it runs on one of this runtime's carriers but is not a green thread.
                AtomicReference<Object[]> r = new AtomicReference<>();
                Thread t = Thread.ofVirtual().start(() -> r.set(new Object[] {core.carrierOfCaller(), GreenThread.current()}));
                t.join(Duration.ofSeconds(60));
                return r.get();
            });
            assertThat(foreign).as("foreign virtual thread inside a green thread").containsExactly(-1, null);
        }
    }

    @Test
    void currentGreenThreadIsTheHandleAndTheHandlerFieldIsTheGetters() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spawn-path-current").build())) {
            AtomicReference<Object[]> seen = new AtomicReference<>();
            GreenHandle<Void> h = rt.spawn(() -> {
                Thread t = Thread.currentThread();
                seen.set(new Object[] {GreenThread.current(), GreenThread.mounted(),
                        VirtualThreads.currentHandler(t), t.getUncaughtExceptionHandler()});
            });
            h.join(Duration.ofSeconds(60));
            Object[] s = seen.get();
            assertThat(s[0]).isSameAs(h);
            assertThat(s[1]).isSameAs(h);
            assertThat(s[2]).isSameAs(h).isSameAs(s[3]);
            assertThat(GreenThread.current()).as("a platform thread").isNull();
            // With no handler set the field is null where the getter answers the thread group
            // (documented: no caller tests for a group).
            assertThat(VirtualThreads.currentHandler(Thread.currentThread())).isNull();
            assertThat(Thread.currentThread().getUncaughtExceptionHandler()).isInstanceOf(ThreadGroup.class);
        }
    }

    @Test
    void countsAreExactAfterManySpawnsAndEveryCarrierExitIsCountedOnItsCarrier() throws Exception {
        int parents = 4;
        int children = 5_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spawn-path-counts").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            long spawnedElsewhere0 = core.spawnedElsewhere.get();
            long exitedElsewhere0 = core.exitedElsewhere.get();
            RuntimeMetrics before = rt.metrics();
            int total = rt.run(() -> {
                List<GreenHandle<Integer>> ps = new ArrayList<>();
                for (int p = 0; p < parents; p++) {
                    ps.add(Green.spawn(() -> {
                        @SuppressWarnings("unchecked")
                        GreenHandle<Integer>[] hs = (GreenHandle<Integer>[]) new GreenHandle<?>[children];
                        for (int i = 0; i < children; i++) {
                            int n = i;
                            // Every tenth child spawns a grandchild and ends before joining it
                            // (its own token hands the live grandchild up).
                            hs[i] = Green.spawn(() -> {
                                if (n % 10 == 0) {
                                    Green.spawn(() -> { });
                                }
                                return 1;
                            });
                        }
                        int sum = 0;
                        for (GreenHandle<Integer> h : hs) {
                            sum += h.join();
                        }
                        return sum;
                    }));
                }
                int sum = 0;
                for (GreenHandle<Integer> p : ps) {
                    sum += p.join();
                }
                return sum;
            });
            assertThat(total).isEqualTo(parents * children);
            long expected = 1 + parents + (long) parents * children + (long) parents * (children / 10);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (rt.liveThreads() != 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(5); // grandchildren nobody joins: wait for them to end (bounded)
            }
            RuntimeMetrics m = rt.metrics();
            assertThat(m.spawned() - before.spawned()).isEqualTo(expected);
            assertThat(m.exited() - before.exited()).isEqualTo(expected);
            assertThat(m.live()).isZero();
            assertThat(rt.liveThreads()).isZero();
            // Only the run() body was spawned from a platform thread; every other spawn and
            // every exit ran on one of this runtime's carriers and was counted there.
            assertThat(core.spawnedElsewhere.get() - spawnedElsewhere0).isEqualTo(1);
            assertThat(core.exitedElsewhere.get() - exitedElsewhere0).isZero();
        }
    }
}
