package io.verdant;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timed operations racing their own success, with timeouts of 0-50 us so the
 * race is hit often: each attempt either succeeds with its effect exactly once
 * or times out with no effect (nothing lost, nothing duplicated, no lock left
 * held). Bounded in count; with 1 and 2 carriers, with and without time slices.
 */
@Timeout(120)
class TimeoutRaceStressTest {

    private static Verdant start(int workers, int sliceMillis) {
        return Verdant.start(Config.builder().workers(workers).timeslice(Duration.ofMillis(sliceMillis))
                .name("timeout-race").build());
    }

    private static Duration tiny() {
        return Duration.ofNanos(ThreadLocalRandom.current().nextInt(50_000));
    }

    @ParameterizedTest
    @CsvSource({"1,0", "1,10", "2,0", "2,10"})
    void mutexLockTimeoutsNeverLeaveItHeldOrShared(int workers, int slice) {
        int threads = 6;
        int perThread = 3_000;
        Mutex<long[]> m = new Mutex<>(new long[1]);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicLong acquired = new AtomicLong();
        AtomicLong timedOut = new AtomicLong();
        try (Verdant rt = start(workers, slice)) {
            rt.run(() -> {
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    hs.add(Green.spawn(() -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        for (int i = 0; i < perThread; i++) {
                            try (Mutex.Guard<long[]> g = m.lock(tiny())) {
                                if (inside.getAndIncrement() != 0) {
                                    overlaps.incrementAndGet();
                                }
                                g.get()[0]++;
                                acquired.incrementAndGet();
                                if (rnd.nextInt(8) == 0) {
                                    Green.yield();
                                }
                                inside.decrementAndGet();
                            } catch (TimedOutException e) {
                                timedOut.incrementAndGet();
                            }
                        }
                    }));
                }
                Green.joinAll(hs);
                return null;
            });
            assertThat(timedOut.get()).as("some locks timed out (else nothing raced)").isPositive();
            assertThat(overlaps.get()).as("two holders at once").isZero();
            assertThat(acquired.get() + timedOut.get()).isEqualTo((long) threads * perThread);
            assertThat(m.isLocked()).as("left locked").isFalse();
            assertThat(m.waiters()).isZero();
            assertThat(m.tryLock()).isPresent().get().satisfies(g -> {
                assertThat(g.get()[0]).isEqualTo(acquired.get());
                g.close();
            });
        }
    }

    @ParameterizedTest
    @CsvSource({"1,0", "1,10", "2,0", "2,10"})
    void mutexWaitersCancelledAsTheLockIsHandedOnNeverKeepIt(int workers, int slice) {
        int rounds = 2_000;
        Mutex<Integer> m = new Mutex<>(0);
        AtomicLong acquired = new AtomicLong();
        AtomicLong cancelled = new AtomicLong();
        try (Verdant rt = start(workers, slice)) {
            rt.run(() -> {
                for (int r = 0; r < rounds; r++) {
                    Mutex.Guard<Integer> held = m.lock(Duration.ofSeconds(10));
                    GreenHandle<Void> waiter = Green.spawn(() -> {
                        try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(10))) {
                            g.set(g.get() + 1);
                            acquired.incrementAndGet();
                        } catch (CancelledException e) {
                            cancelled.incrementAndGet();
                        }
                    });
                    while (m.waiters() == 0 && !waiter.isDone()) {
                        Green.yield();
                    }
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    if (rnd.nextBoolean()) {
                        waiter.cancel();
                        for (int y = rnd.nextInt(3); y > 0; y--) {
                            Green.yield(); // with one carrier, lets the waiter see its cancellation first
                        }
                        held.close();
                    } else {
                        held.close();
                        waiter.cancel();
                    }
                    try {
                        waiter.join(Duration.ofSeconds(10));
                    } catch (GreenFailedException e) {
                        // cancelled after it had the lock, in its body: it released it on the way out
                        cancelled.incrementAndGet();
                    }
                    assertThat(m.isLocked()).as("round %d: left locked", r).isFalse();
                }
                return null;
            });
            assertThat(cancelled.get()).as("some waiters were cancelled (else nothing raced)").isPositive();
            assertThat(acquired.get() + cancelled.get()).isEqualTo(rounds);
            assertThat(m.waiters()).isZero();
            assertThat(m.isLocked()).isFalse();
        }
    }

    @ParameterizedTest
    @CsvSource({"1,0", "1,10", "2,0", "2,10"})
    void mailboxTimedReceivesLoseAndDuplicateNothing(int workers, int slice) {
        int senders = 3;
        int perSender = 5_000;
        int total = senders * perSender;
        AtomicInteger receiveTimeouts = new AtomicInteger();
        try (Verdant rt = start(workers, slice)) {
            int[] r = rt.run(() -> {
                GreenHandle<int[]> receiver = Green.spawn(() -> {
                    BitSet seen = new BitSet(total);
                    int got = 0;
                    int dups = 0;
                    int timeouts = 0;
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (got < total && System.nanoTime() < until) {
                        Object m;
                        try {
                            m = switch (rnd.nextInt(3)) {
                                case 0 -> Green.receive(tiny());
                                case 1 -> Green.receive(Integer.class, tiny());
                                default -> Green.receive(o -> o instanceof Integer, tiny());
                            };
                        } catch (TimedOutException e) {
                            timeouts++;
                            receiveTimeouts.incrementAndGet();
                            continue;
                        }
                        int v = (Integer) m;
                        if (seen.get(v)) {
                            dups++;
                        }
                        seen.set(v);
                        got++;
                    }
                    return new int[] {got, dups, timeouts, Green.mailboxSize()};
                });
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    int base = s * perSender;
                    hs.add(Green.spawn(() -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        for (int i = 0; i < perSender; i++) {
                            Green.send(receiver.pid(), base + i);
                            if (rnd.nextInt(64) == 0) {
                                Green.sleep(Duration.ofNanos(rnd.nextInt(100_000)));
                            }
                            if (i % 1_000 == 999 && i < perSender - 1) {
                                // A pause until a receive has timed out (at most 5 s): on one worker
                                // a sender may send its whole share in one slice, and the receiver
                                // then never found its mailbox empty, so no receive raced its
                                // timeout. (A fixed 2 ms pause was not enough on a loaded machine:
                                // the senders' sleeps can all end before the receiver runs again.)
                                int before = receiveTimeouts.get();
                                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                                do {
                                    Green.sleep(Duration.ofMillis(1));
                                } while (receiveTimeouts.get() == before && System.nanoTime() < until);
                            }
                        }
                    }));
                }
                Green.joinAll(hs);
                return receiver.join();
            });
            assertThat(r[2]).as("some receives timed out (else nothing raced)").isPositive();
            assertThat(r[1]).as("duplicates").isZero();
            assertThat(r[0]).as("received").isEqualTo(total);
            assertThat(r[3]).as("left in the mailbox").isZero();
        }
    }

    @ParameterizedTest
    @CsvSource({"1,0,0", "1,10,1", "2,0,0", "2,10,1", "2,0,1", "1,0,1"})
    void selectTimeoutsRacingHandOffsLoseAndDuplicateNothing(int workers, int slice, int capacity) {
        int producers = 3;
        int perProducer = 4_000;
        int total = producers * perProducer;
        Channel<Integer> ch = capacity == 0 ? Channel.rendezvous() : Channel.bounded(capacity);
        Channel<Integer> never = Channel.rendezvous();
        AtomicInteger received = new AtomicInteger();
        BitSet seen = new BitSet(total);
        AtomicInteger dups = new AtomicInteger();
        try (Verdant rt = start(workers, slice)) {
            rt.run(() -> {
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    hs.add(Green.spawn(() -> {
                        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                        while (received.get() < total && System.nanoTime() < until) {
                            Integer v = Select.<Integer>create()
                                    .onReceive(ch, x -> x)
                                    .onReceive(never, x -> -1)
                                    .onTimeout(tiny(), () -> null)
                                    .select();
                            if (v != null) {
                                synchronized (seen) {
                                    if (seen.get(v)) {
                                        dups.incrementAndGet();
                                    }
                                    seen.set(v);
                                }
                                received.incrementAndGet();
                            }
                        }
                    }));
                }
                for (int p = 0; p < producers; p++) {
                    int base = p * perProducer;
                    hs.add(Green.spawn(() -> {
                        for (int i = 0; i < perProducer; i++) {
                            int v = base + i;
                            while (!Select.<Boolean>create()
                                    .onSend(ch, v, () -> true)
                                    .onTimeout(tiny(), () -> false)
                                    .select()) {
                                // timed out: nothing was sent, send it again
                            }
                        }
                    }));
                }
                Green.joinAll(hs);
                return null;
            });
            assertThat(dups.get()).as("duplicates").isZero();
            assertThat(received.get()).as("received").isEqualTo(total);
            assertThat(TestAccess.queuedNodes(ch) + TestAccess.queuedNodes(never)).isZero();
        }
    }
}
