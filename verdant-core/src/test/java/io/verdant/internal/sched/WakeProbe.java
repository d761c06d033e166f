package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Pid;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Manual probe (not a test): counts of the {@code wake} benchmark's protocol
 * (verdant-bench WakeComparison: n receivers blocked in receive, one green
 * sender sends to each in turn), per round. Args: workers n rounds. Prints per
 * round the send loop and all-woken times (indicative only: the counts are what
 * does not depend on load) and, per wake, the injection queue's pushes and
 * batches, takes and tasks taken, idle carriers unparked, steals, parks, and
 * per carrier the dispatches and the receivers that ended there.
 */
public final class WakeProbe {
    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("wprobe").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            for (int r = 0; r < rounds; r++) {
                Worker[] ws = s.workers();
                long[] inj0 = s.injectionCounts();
                long u0 = s.wakeupsIssued();
                long[] d0 = new long[ws.length];
                long[] e0 = new long[ws.length];
                long[] st0 = new long[ws.length];
                long[] p0 = new long[ws.length];
                Object msg = new Object();
                long[] times = rt.run(() -> {
                    AtomicInteger left = new AtomicInteger(n);
                    long[] end = new long[1];
                    Pid[] pids = new Pid[n];
                    @SuppressWarnings("unchecked")
                    GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[n];
                    for (int i = 0; i < n; i++) {
                        hs[i] = Green.spawn(() -> {
                            if (Green.receive() != msg) {
                                throw new AssertionError();
                            }
                            if (left.decrementAndGet() == 0) {
                                end[0] = System.nanoTime();
                            }
                        });
                        pids[i] = hs[i].pid();
                    }
                    for (GreenHandle<Void> h : hs) {
                        while (h.state() != GreenState.WAITING) {
                            Green.sleep(Duration.ofMillis(1));
                        }
                    }
                    for (int k = 0; k < ws.length; k++) {
                        d0[k] = ws[k].dispatchCount();
                        e0[k] = ws[k].counters.exited;
                        st0[k] = ws[k].counters.steals;
                        p0[k] = ws[k].counters.parks;
                    }
                    long[] inj = s.injectionCounts();
                    System.arraycopy(inj, 0, inj0, 0, inj.length);
                    long t0 = System.nanoTime();
                    for (Pid p : pids) {
                        Green.send(p, msg);
                    }
                    long t1 = System.nanoTime();
                    for (GreenHandle<Void> h : hs) {
                        h.join();
                    }
                    return new long[] {t1 - t0, end[0] - t0};
                });
                long[] inj1 = s.injectionCounts();
                StringBuilder per = new StringBuilder();
                long steals = 0;
                long parks = 0;
                for (int k = 0; k < ws.length; k++) {
                    steals += ws[k].counters.steals - st0[k];
                    parks += ws[k].counters.parks - p0[k];
                    per.append(String.format(" c%d[dispatches/n=%.3f exits/n=%.3f]", k,
                            (ws[k].dispatchCount() - d0[k]) / (double) n, (ws[k].counters.exited - e0[k]) / (double) n));
                }
                System.out.printf("WAKE n=%d send=%dns/op woken=%dms | per wake: single-injects=%.4f batches=%.5f "
                                + "injected=%.4f takes=%.5f taken=%.4f unparks=%.5f steals=%.5f parks=%.5f |%s%n",
                        n, times[0] / n, times[1] / 1_000_000,
                        (inj1[0] - inj0[0]) / (double) n, (inj1[1] - inj0[1]) / (double) n,
                        (inj1[2] - inj0[2]) / (double) n, (inj1[3] - inj0[3]) / (double) n,
                        (inj1[4] - inj0[4]) / (double) n, (s.wakeupsIssued() - u0) / (double) n,
                        steals / (double) n, parks / (double) n, per);
            }
        }
    }
}
