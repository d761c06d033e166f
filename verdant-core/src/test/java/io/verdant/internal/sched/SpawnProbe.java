package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.RuntimeMetrics;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;

/** Manual probe: counts of the wake-up protocol for a spawn burst (args: workers n reps). */
public final class SpawnProbe {
    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int reps = Integer.parseInt(args[2]);
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("probe").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            if (args.length > 3) {
                s.spinNanos(Long.parseLong(args[3]));
            }
            for (int rep = 0; rep < reps; rep++) {
                RuntimeMetrics m0 = rt.metrics();
                long u0 = s.wakeupsIssued();
                long t0 = System.nanoTime();
                rt.run(() -> {
                    @SuppressWarnings("unchecked")
                    GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[n];
                    for (int i = 0; i < n; i++) {
                        hs[i] = Green.spawn(() -> { });
                    }
                    for (GreenHandle<Void> h : hs) {
                        h.join();
                    }
                    return null;
                });
                long ns = System.nanoTime() - t0;
                RuntimeMetrics m1 = rt.metrics();
                System.out.printf("COUNTS workers=%d n=%d ns/op=%d parks=%d noop=%d wakeups=%d steals=%d polls=%d%n", workers, n,
                        ns / n, m1.parks() - m0.parks(), m1.noopWakeups() - m0.noopWakeups(), s.wakeupsIssued() - u0,
                        m1.steals() - m0.steals(), m1.polls() - m0.polls());
            }
        }
    }
}
