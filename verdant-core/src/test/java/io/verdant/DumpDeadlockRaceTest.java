package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots and dumps read each thread once, one after another, while they run
 * on: two threads taking turns at one mutex each wait for the other at some
 * moment, never both at once, and each is handed the mutex while still parked. A
 * dump must not report that as a deadlock, nor a snapshot show a thread waiting
 * for itself.
 */
@Timeout(60)
class DumpDeadlockRaceTest {
    /** Two green threads named left and right taking turns at one mutex until {@code stop}. */
    private static List<GreenHandle<Void>> takeTurns(Verdant rt, AtomicBoolean stop) throws InterruptedException {
        Mutex<int[]> m = new Mutex<>(new int[1]);
        CountDownLatch started = new CountDownLatch(2);
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (String name : List.of("left", "right")) {
            hs.add(rt.spawner().name(name).spawn(() -> {
                started.countDown();
                while (!stop.get()) {
                    try (Mutex.Guard<int[]> g = m.lock(Duration.ofSeconds(30))) {
                        g.get()[0]++;
                    }
                }
            }));
        }
        started.await();
        return hs;
    }

    private static void stop(AtomicBoolean stop, List<GreenHandle<Void>> hs) throws Exception {
        stop.set(true);
        for (GreenHandle<Void> h : hs) {
            h.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void aThreadHandedTheMutexIsNeverShownWaitingForItself() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("snapshot-turns").build())) {
            List<GreenHandle<Void>> hs = takeTurns(rt, stop);
            List<GreenThreadInfo> selfWaits = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int snapshots = 0;
            try {
                for (; snapshots < 200_000 && System.nanoTime() < until && selfWaits.isEmpty(); snapshots++) {
                    for (GreenThreadInfo t : rt.snapshot().threads()) {
                        if (t.pid().equals(t.waitingFor()) || t.waitReason().contains("held by " + t.pid())
                                || t.state() != GreenState.WAITING && !t.waitReason().isEmpty()
                                || t.waitingFor() != null && !t.waitReason().contains("held by " + t.waitingFor())) {
                            selfWaits.add(t);
                        }
                    }
                }
            } finally {
                stop(stop, hs);
            }
            assertThat(selfWaits).as("threads waiting for themselves, not waiting with a wait reason, or held by another than they wait for, in %d snapshots",
                    snapshots).isEmpty();
        }
    }

    @Test
    void twoThreadsTakingTurnsAtOneMutexAreNoDeadlock() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-turns").build())) {
            List<GreenHandle<Void>> hs = takeTurns(rt, stop);
            List<String> falseDeadlocks = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int dumps = 0;
            try {
                for (; dumps < 20_000 && System.nanoTime() < until && falseDeadlocks.isEmpty(); dumps++) {
                    StringBuilder sb = new StringBuilder();
                    rt.dump(sb, dumps % 2 == 0 ? DumpOptions.text() : DumpOptions.json());
                    String dump = sb.toString();
                    if (dump.contains("DEADLOCK") || !dump.contains("\"deadlocks\": []") && dump.contains("\"deadlocks\"")) {
                        falseDeadlocks.add(dump);
                    }
                }
            } finally {
                stop(stop, hs);
            }
            assertThat(falseDeadlocks).as("deadlocks reported in %d dumps of two threads taking turns", dumps).isEmpty();
        }
    }
}
