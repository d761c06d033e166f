package io.verdant.internal.sched;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;

/**
 * Manual probe (not a test): what one {@code pingpong} round trip costs in counts
 * (two green threads over two rendezvous channels). Args: workers n rounds.
 * Prints per round trip: dispatches, green-thread parks in Verdant waits,
 * carrier parks, idle carriers unparked, steals, and the time (indicative only).
 */
public final class PingPongProbe {
    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("ppprobe").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            for (int r = 0; r < rounds; r++) {
                Worker[] ws = s.workers();
                long d0 = 0;
                long w0 = 0;
                long p0 = 0;
                long st0 = 0;
                for (Worker w : ws) {
                    d0 += w.dispatchCount();
                    w0 += w.counters.waits;
                    p0 += w.counters.parks;
                    st0 += w.counters.steals;
                }
                long u0 = s.wakeupsIssued();
                long t0 = System.nanoTime();
                rt.run(() -> {
                    Channel<Integer> ping = Channel.rendezvous();
                    Channel<Integer> pong = Channel.rendezvous();
                    GreenHandle<Void> echo = Green.spawn(() -> {
                        for (int i = 0; i < n; i++) {
                            pong.send(ping.receive());
                        }
                    });
                    Integer one = 1;
                    for (int i = 0; i < n; i++) {
                        ping.send(one);
                        pong.receive();
                    }
                    echo.join();
                    return null;
                });
                long ns = System.nanoTime() - t0;
                long d = 0;
                long wt = 0;
                long p = 0;
                long st = 0;
                for (Worker w : ws) {
                    d += w.dispatchCount();
                    wt += w.counters.waits;
                    p += w.counters.parks;
                    st += w.counters.steals;
                }
                System.out.printf("PINGPONG workers=%d n=%d ns/rt=%d | per round trip: dispatches=%.4f waits=%.4f "
                                + "carrierParks=%.5f unparks=%.5f steals=%.5f%n", workers, n, ns / n,
                        (d - d0) / (double) n, (wt - w0) / (double) n, (p - p0) / (double) n,
                        (s.wakeupsIssued() - u0) / (double) n, (st - st0) / (double) n);
            }
        }
    }
}
