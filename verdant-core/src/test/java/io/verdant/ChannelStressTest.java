package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Bounded stress with invariants: nothing lost, nothing duplicated, per-producer FIFO, exactly one select case. */
@Timeout(120)
class ChannelStressTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("chan-stress").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1", "BOUNDED_64", "UNBOUNDED"})
    void producersAndConsumersLoseAndDuplicateNothingAndKeepPerProducerOrder(ChannelKind kind) {
        int producers = 4;
        int consumers = 4;
        int perProducer = 20_000;
        Channel<long[]> ch = kind.make();
        List<List<long[]>> seen = rt.run(() -> {
            List<GreenHandle<List<long[]>>> cs = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                int mode = c;
                cs.add(Green.spawn(() -> {
                    List<long[]> got = new ArrayList<>();
                    while (true) {
                        long[] v;
                        try {
                            v = switch (mode % 3) {
                                case 0 -> ch.receive();
                                case 1 -> ch.receive(Duration.ofSeconds(30));
                                default -> {
                                    yield ch.tryReceive().orElseGet(ch::receive);
                                }
                            };
                        } catch (ChannelClosedException e) {
                            return got;
                        }
                        got.add(v);
                    }
                }));
            }
            List<GreenHandle<Void>> ps = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long id = p;
                ps.add(Green.spawn(() -> {
                    for (long i = 0; i < perProducer; i++) {
                        long[] v = {id, i};
                        if (i % 3 == 0) {
                            ch.send(v, Duration.ofSeconds(30));
                        } else if (i % 3 == 1 && ch.trySend(v)) {
                            continue;
                        } else {
                            ch.send(v);
                        }
                    }
                }));
            }
            for (GreenHandle<Void> p : ps) {
                p.join();
            }
            ch.close();
            List<List<long[]>> all = new ArrayList<>();
            for (GreenHandle<List<long[]>> c : cs) {
                all.add(c.join());
            }
            return all;
        });
        boolean[][] got = new boolean[producers][perProducer];
        int total = 0;
        for (List<long[]> consumer : seen) {
            long[] last = new long[producers];
            java.util.Arrays.fill(last, -1);
            for (long[] v : consumer) {
                int p = (int) v[0];
                assertThat(got[p][(int) v[1]]).as("duplicate %s", java.util.Arrays.toString(v)).isFalse();
                got[p][(int) v[1]] = true;
                assertThat(v[1]).as("per-producer order").isGreaterThan(last[p]);
                last[p] = v[1];
                total++;
            }
        }
        assertThat(total).isEqualTo(producers * perProducer);
    }

    @Test
    void selectFiresExactlyOneCaseUnderContention() {
        int n = 20_000;
        Channel<Integer> a = Channel.rendezvous();
        Channel<Integer> b = Channel.bounded(4);
        Channel<Integer> done = Channel.unbounded();
        AtomicLong sentSum = new AtomicLong();
        AtomicInteger sentCount = new AtomicInteger();
        long[] result = rt.run(() -> {
            List<GreenHandle<long[]>> consumers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                consumers.add(Green.spawn(() -> {
                    long sum = 0;
                    long count = 0;
                    Select<Integer> s = Select.<Integer>create()
                            .onReceive(a, v -> v)
                            .onReceive(b, v -> v)
                            .onReceive(done, v -> -1);
                    while (true) {
                        int v = s.select();
                        if (v < 0) {
                            // Fair select may pick done while b still buffers values the
                            // producers (all finished by now) sent: they are ours to count.
                            for (var left = b.tryReceive(); left.isPresent(); left = b.tryReceive()) {
                                sum += left.get();
                                count++;
                            }
                            return new long[] {sum, count};
                        }
                        sum += v;
                        count++;
                    }
                }));
            }
            List<GreenHandle<Void>> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                producers.add(Green.spawn(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < n; i++) {
                        int v = rnd.nextInt(1000);
                        Select.<Boolean>create()
                                .onSend(a, v, () -> true)
                                .onSend(b, v, () -> true)
                                .select();
                        sentSum.addAndGet(v);
                        sentCount.incrementAndGet();
                    }
                }));
            }
            for (GreenHandle<Void> p : producers) {
                p.join();
            }
            for (int c = 0; c < 3; c++) {
                done.send(-1);
            }
            long sum = 0;
            long count = 0;
            for (GreenHandle<long[]> c : consumers) {
                long[] r = c.join();
                sum += r[0];
                count += r[1];
            }
            return new long[] {sum, count};
        });
        // Every send case that reported success delivered exactly one value, received exactly once.
        assertThat(result[1]).isEqualTo(3L * n).isEqualTo(sentCount.get());
        assertThat(result[0]).isEqualTo(sentSum.get());
        assertThat(TestAccess.queuedNodes(a) + TestAccess.queuedNodes(b)).isZero();
    }

    @Test
    void timeoutsAreNeitherEarlyNorLost() {
        int n = 2_000;
        Channel<Integer> never = Channel.rendezvous();   // nobody ever sends
        Channel<Integer> full = Channel.bounded(1);      // nobody ever receives
        full.send(0);
        long[] early = rt.run(() -> {
            List<GreenHandle<Long>> hs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long ms = 1 + i % 50;
                int mode = i % 3;
                hs.add(Green.spawn(() -> {
                    long s = System.nanoTime();
                    try {
                        switch (mode) {
                            case 0 -> never.receive(Duration.ofMillis(ms));
                            case 1 -> full.send(1, Duration.ofMillis(ms));
                            default -> {
                                String r = Select.<String>create().onReceive(never, v -> "v")
                                        .onTimeout(Duration.ofMillis(ms), () -> "t").select();
                                if (!r.equals("t")) {
                                    return -2L;
                                }
                                return System.nanoTime() - s - Duration.ofMillis(ms).toNanos();
                            }
                        }
                        return -2L;
                    } catch (TimedOutException e) {
                        return System.nanoTime() - s - Duration.ofMillis(ms).toNanos();
                    }
                }));
            }
            long earlyCount = 0;
            long wrong = 0;
            for (GreenHandle<Long> h : hs) {
                long late = h.join();
                if (late == -2L) {
                    wrong++;
                } else if (late < 0) {
                    earlyCount++;
                }
            }
            return new long[] {earlyCount, wrong};
        });
        assertThat(early[0]).as("timeouts that fired early").isZero();
        assertThat(early[1]).as("operations that completed instead of timing out").isZero();
        assertThat(TestAccess.queuedNodes(never) + TestAccess.queuedNodes(full)).isZero();
        assertThat(TestAccess.timers(rt)).isZero();
    }

    /**
     * Timed sends and receives that give up while partners arrive: a plain
     * operation's abort (under the channel's lock) and a partner's completion
     * (under the same lock, no CAS) must exclude each other. Every value is
     * received exactly once, a timed-out send is retried (it consumed nothing),
     * and no node stays queued. A platform-thread consumer takes part too (it
     * times out with parkNanos instead of the timer wheel).
     */
    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1"})
    void timeoutsRacingHandOffsLoseAndDuplicateNothing(ChannelKind kind) throws Exception {
        int producers = 3;
        int perProducer = 4_000;
        int total = producers * perProducer;
        Channel<long[]> ch = kind.make();
        AtomicInteger received = new AtomicInteger();
        AtomicLong timeouts = new AtomicLong();
        boolean[][] got = new boolean[producers][perProducer];
        Runnable consume = () -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (received.get() < total) {
                long[] v;
                try {
                    v = ch.receive(Duration.ofNanos(1 + rnd.nextInt(200_000)));
                } catch (TimedOutException e) {
                    timeouts.incrementAndGet();
                    continue;
                }
                synchronized (got) {
                    assertThat(got[(int) v[0]][(int) v[1]]).as("duplicate %s", java.util.Arrays.toString(v)).isFalse();
                    got[(int) v[0]][(int) v[1]] = true;
                }
                received.incrementAndGet();
            }
        };
        Thread platform = Thread.ofPlatform().name("chan-stress-platform-consumer").start(consume);
        rt.run(() -> {
            List<GreenHandle<?>> hs = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                hs.add(Green.spawn(() -> {
                    consume.run();
                    return null;
                }));
            }
            for (int p = 0; p < producers; p++) {
                long id = p;
                hs.add(Green.spawn(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (long i = 0; i < perProducer; i++) {
                        long[] v = {id, i};
                        while (true) {
                            try {
                                ch.send(v, Duration.ofNanos(1 + rnd.nextInt(200_000)));
                                break;
                            } catch (TimedOutException e) {
                                timeouts.incrementAndGet();
                            }
                        }
                        if (rnd.nextInt(256) == 0) {
                            // A gap: the consumers' timeouts fire while nobody sends.
                            Green.sleep(Duration.ofMillis(1));
                        }
                    }
                    return null;
                }));
            }
            Green.joinAll(hs);
            return null;
        });
        platform.join(Duration.ofSeconds(60));
        assertThat(platform.isAlive()).as("platform consumer finished").isFalse();
        assertThat(received.get()).isEqualTo(total);
        for (boolean[] row : got) {
            for (boolean b : row) {
                assertThat(b).isTrue();
            }
        }
        assertThat(timeouts.get()).as("some operations timed out (else nothing raced)").isPositive();
        assertThat(TestAccess.queuedNodes(ch)).isZero();
    }
}
