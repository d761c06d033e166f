package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Pairs of green threads handing a token back and forth; no lost wake-up, exact counts. */
@Timeout(120)
class PingPongStressTest {

    /** A one-slot exchanger built on park/unpark only. */
    static final class Slot {
        final AtomicReference<Integer> value = new AtomicReference<>();
        volatile Thread waiter;

        void put(int v) {
            value.set(v);
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        int take() {
            waiter = Thread.currentThread();
            Integer v;
            while ((v = value.getAndSet(null)) == null) {
                LockSupport.park(this);
            }
            return v;
        }
    }

    @Test
    void parkUnparkPingPongOnOneAndTwoWorkers() {
        for (int workers = 1; workers <= 2; workers++) {
            try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("pingpong-" + workers).build())) {
                int rounds = 200_000;
                int last = rt.run(() -> {
                    Slot ping = new Slot();
                    Slot pong = new Slot();
                    GreenHandle<Integer> ponger = Green.spawn(() -> {
                        int v = 0;
                        for (int i = 0; i < rounds; i++) {
                            v = ping.take();
                            pong.put(v + 1);
                        }
                        return v;
                    });
                    int v = 0;
                    for (int i = 0; i < rounds; i++) {
                        ping.put(v);
                        v = pong.take();
                    }
                    assertThat(ponger.join()).isEqualTo(rounds - 1);
                    return v;
                });
                assertThat(last).isEqualTo(rounds);
            }
        }
    }

    @Test
    void manyPairsExchangingThroughSynchronousQueues() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("pingpong-many").build())) {
            int pairs = 100;
            int rounds = 2_000;
            long total = rt.run(() -> {
                List<GreenHandle<Long>> hs = new ArrayList<>();
                for (int p = 0; p < pairs; p++) {
                    SynchronousQueue<Integer> a = new SynchronousQueue<>();
                    SynchronousQueue<Integer> b = new SynchronousQueue<>();
                    hs.add(Green.spawn(() -> {
                        long s = 0;
                        for (int i = 0; i < rounds; i++) {
                            a.put(i);
                            s += b.take();
                        }
                        return s;
                    }));
                    Green.spawn(() -> {
                        for (int i = 0; i < rounds; i++) {
                            b.put(a.take() * 2);
                        }
                        return null;
                    });
                }
                long s = 0;
                for (GreenHandle<Long> h : hs) {
                    s += h.join();
                }
                return s;
            });
            assertThat(total).isEqualTo((long) pairs * rounds * (rounds - 1));
        }
    }
}
