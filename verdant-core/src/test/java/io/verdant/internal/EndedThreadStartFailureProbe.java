package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Run by {@link EndedThreadStartFailureTest} in a fresh JVM (the shared thread
 * that finished green threads hold in place of their own is made once per JVM)
 * with fault injection on: the first start of that shared thread fails (an
 * OutOfMemoryError at ENDED_THREAD_STARTING, as "unable to create native
 * thread"); later finished threads must still let go of their virtual thread.
 * Prints {@code injected <bool> dropped <bool>}; carriers' internal errors go
 * to the output, which the test reads.
 */
public final class EndedThreadStartFailureProbe {
    private EndedThreadStartFailureProbe() {
    }

    public static void main(String[] args) throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("ENDED_THREAD_STARTING") && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: unable to create native thread");
            }
        });
        boolean dropped = false;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("ended-thread-start").build())) {
            // The first finished thread meets the failure; later ones must not.
            for (int i = 0; i < 50 && !dropped; i++) {
                GreenHandle<Integer> h = rt.spawn(() -> 1);
                h.join(Duration.ofSeconds(10));
                GreenThread<?> g = (GreenThread<?>) h;
                Thread original = g.vthread;
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (System.nanoTime() < until && g.vthread == original) {
                    Thread.sleep(1);
                }
                dropped = !armed.get() && g.vthread != original;
            }
        } finally {
            SchedulerTestAccess.atSites(null);
        }
        System.out.println("injected " + !armed.get() + " dropped " + dropped);
    }
}
