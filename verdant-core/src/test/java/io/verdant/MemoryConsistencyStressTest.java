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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "Memory consistency effects" of the public hand-offs (the javadoc of
 * Channel, Mailbox, Ref, GreenHandle, Mutex, TaskScope, Green.spawn,
 * Green.blocking, Registry, SendTimer, Verdant.close; docs/coming-from.md): what a thread
 * wrote with plain stores before handing something off is seen by the thread
 * that takes it, on the other carrier. Each test writes plain, non-volatile
 * payload ({@link Plain}: slot i written once, before hand-off i) and reads it
 * back after the hand-off; a missing edge shows as a slot still 0 (a stale
 * read) or, for state mutated across hand-offs, as a torn pair. On x86 a
 * missing edge usually shows only as a compiler reordering, so a pass is
 * evidence, not proof; the edges themselves are argued in the classes' design
 * comments. Two workers, bounded counts, a few seconds per class.
 */
@Timeout(60)
class MemoryConsistencyStressTest {
    /** Hand-offs per test; enough for the JIT to compile the loops on both sides. */
    private static final int N = 20_000;

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("memvis").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Plain payload: slot i is written once (i + 1), before hand-off i; read after it. */
    static final class Plain {
        final int[] slots;

        Plain(int n) {
            slots = new int[n];
        }

        void write(int i) {
            slots[i] = i + 1;
        }

        /** @return 1 if slot i does not hold what was written before its hand-off */
        int stale(int i) {
            return slots[i] == i + 1 ? 0 : 1;
        }
    }

    /** Mutable state with plain fields that must always move together. */
    static final class Pair {
        long a;
        long b;
    }

    record Msg(int i) {
    }

    record Other(int i) {
    }

    record Req(int i, ReplyTo<Integer> replyTo) {
    }

    record Get(ReplyTo<Long> replyTo) {
    }

    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1", "UNBOUNDED"})
    void aChannelSendHappensBeforeTheReceiveOfThatValue(ChannelKind kind) {
        Plain p = new Plain(N);
        Channel<Integer> ch = kind.make();
        int stale = rt.run(() -> {
            GreenHandle<Integer> consumer = Green.spawn(() -> {
                int bad = 0;
                for (int k = 0; k < N; k++) {
                    int i = switch (k % 3) {
                        case 0 -> ch.receive();
                        case 1 -> ch.receive(Duration.ofSeconds(30));
                        default -> ch.tryReceive().orElseGet(ch::receive);
                    };
                    bad += p.stale(i);
                }
                return bad;
            });
            Green.spawn(() -> {
                for (int i = 0; i < N; i++) {
                    p.write(i);
                    if (i % 3 == 0) {
                        ch.send(i);
                    } else if (i % 3 == 1) {
                        ch.send(i, Duration.ofSeconds(30));
                    } else if (!ch.trySend(i)) {
                        ch.send(i);
                    }
                }
            });
            return consumer.join();
        });
        assertThat(stale).as("values received whose sender's prior writes were not seen").isZero();
    }

    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1"})
    void selectCasesHandOffLikeSendAndReceive(ChannelKind kind) {
        Plain p = new Plain(N);
        Channel<Integer> a = kind.make();
        Channel<Integer> b = kind.make();
        int stale = rt.run(() -> {
            GreenHandle<Integer> consumer = Green.spawn(() -> {
                int bad = 0;
                for (int k = 0; k < N; k++) {
                    int i = Select.<Integer>create().onReceive(a, v -> v).onReceive(b, v -> v).select();
                    bad += p.stale(i);
                }
                return bad;
            });
            Green.spawn(() -> {
                for (int i = 0; i < N; i++) {
                    p.write(i);
                    int v = i;
                    if (i % 2 == 0) {
                        Select.<Boolean>create().onSend(a, v, () -> true).onSend(b, v, () -> true).select();
                    } else {
                        (i % 4 == 1 ? a : b).send(v);
                    }
                }
            });
            return consumer.join();
        });
        assertThat(stale).isZero();
    }

    @Test
    void aMessageSendHappensBeforeItsReceiveEvenOutOfOrder() {
        Plain first = new Plain(N);
        Plain second = new Plain(N);
        int stale = rt.run(() -> {
            GreenHandle<Integer> consumer = Green.spawn(() -> {
                int bad = 0;
                for (int k = 0; k < N; k++) {
                    // Selective: the later message first (the earlier one goes to the save queue).
                    int j = Green.receive(Other.class).i();
                    bad += second.stale(j);
                    int i = Green.receive(Msg.class).i();
                    bad += first.stale(i);
                }
                return bad;
            });
            Pid to = consumer.pid();
            Green.spawn(() -> {
                for (int i = 0; i < N; i++) {
                    first.write(i);
                    Green.send(to, new Msg(i));
                    second.write(i);
                    Green.send(to, new Other(i));
                }
            });
            return consumer.join();
        });
        assertThat(stale).isZero();
    }

    @Test
    void aCallHappensBeforeItsHandlingAndTheReplyBeforeTheCallReturns() {
        Plain request = new Plain(N);
        Plain reply = new Plain(N);
        int stale = rt.run(() -> {
            AtomicInteger badInHandler = new AtomicInteger();
            GreenHandle<Void> callee = Green.spawn(() -> {
                for (int k = 0; k < N; k++) {
                    Req r = Green.receive(Req.class);
                    badInHandler.addAndGet(request.stale(r.i()));
                    reply.write(r.i());
                    r.replyTo().reply(r.i());
                }
            });
            Ref<Req> ref = Ref.of(callee.pid(), Req.class);
            GreenHandle<Integer> caller = Green.spawn(() -> {
                int bad = 0;
                for (int i = 0; i < N; i++) {
                    request.write(i);
                    int v = i;
                    int got = ref.call(r -> new Req(v, r), Duration.ofSeconds(30));
                    bad += reply.stale(got);
                }
                return bad;
            });
            int bad = caller.join();
            callee.join();
            return bad + badInHandler.get();
        });
        assertThat(stale).isZero();
    }

    @Test
    void anEventActorsStateWrittenInOneTurnIsSeenByTheNextOnAnotherDispatcher() {
        int senders = 4;
        int perSender = N / senders;
        Plain p = new Plain(N);
        AtomicInteger bad = new AtomicInteger();
        long total = rt.run(() -> {
            // Throughput 1: every message is a turn of its own, so consecutive turns are
            // taken by whichever dispatcher (and carrier) gets the actor next.
            GreenHandle<Pair> actor = Actors.spawner().throughput(1).spawn(new Pair(), (s, m) -> {
                if (s.a != s.b) {
                    bad.incrementAndGet(); // a torn pair: the last turn's writes seen in part
                }
                if (m instanceof Msg(int i)) {
                    bad.addAndGet(p.stale(i));
                    s.a++;
                    s.b++;
                } else if (m instanceof Get(ReplyTo<Long> r)) {
                    r.reply(s.a);
                }
                return s;
            });
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int t = 0; t < senders; t++) {
                int base = t * perSender;
                hs.add(Green.spawn(() -> {
                    for (int i = base; i < base + perSender; i++) {
                        p.write(i);
                        Green.send(actor.pid(), new Msg(i));
                        if (i % 64 == 0) {
                            Green.yield(); // let the actor go idle now and then: turns then start afresh
                        }
                    }
                }));
            }
            Green.joinAll(hs);
            return Green.<Long>call(actor.pid(), Get::new, Duration.ofSeconds(30));
        });
        assertThat(bad.get()).isZero();
        assertThat(total).isEqualTo((long) senders * perSender);
    }

    @Test
    void aThreadsWritesHappenBeforeJoinGetAndItsCallbacks() {
        int n = 4_000;
        Plain p = new Plain(n);
        int stale = rt.run(() -> {
            int bad = 0;
            for (int i = 0; i < n; i++) {
                int v = i;
                GreenHandle<Integer> h = Green.spawn(() -> {
                    p.write(v);
                    return v;
                });
                switch (i % 5) {
                    case 0 -> bad += p.stale(h.join());
                    case 1 -> bad += p.stale(h.join(Duration.ofSeconds(30)));
                    case 2 -> bad += p.stale(h.asFuture().get());
                    case 3 -> bad += p.stale(h.toCompletableFuture().join());
                    default -> {
                        CompletableFuture<Integer> seen = new CompletableFuture<>();
                        h.onComplete((r, f) -> seen.complete(p.stale(r)));
                        bad += seen.join();
                    }
                }
            }
            return bad;
        });
        assertThat(stale).isZero();
    }

    @Test
    void aPollingObserverOfIsDoneSeesTheResultsWrites() {
        int n = 4_000;
        Plain p = new Plain(n);
        int stale = rt.run(() -> {
            int bad = 0;
            for (int i = 0; i < n; i++) {
                int v = i;
                GreenHandle<Integer> h = Green.spawn(() -> {
                    p.write(v);
                    return v;
                });
                Future<Integer> f = h.asFuture();
                while (!(i % 2 == 0 ? h.isDone() : f.isDone())) {
                    Green.yield();
                }
                bad += p.stale(i % 2 == 0 ? h.resultNow() : f.resultNow());
            }
            return bad;
        });
        assertThat(stale).isZero();
    }

    @Test
    void aSpawnersWritesHappenBeforeTheChildRuns() {
        int n = 4_000;
        Plain p = new Plain(n);
        AtomicInteger bad = new AtomicInteger();
        rt.run(() -> {
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int v = i;
                p.write(v);
                hs.add(Green.spawn(() -> {
                    bad.addAndGet(p.stale(v));
                }));
                if (hs.size() == 256) {
                    Green.joinAll(hs);
                    hs.clear();
                }
            }
            Green.joinAll(hs);
        });
        // From a platform thread too.
        Plain q = new Plain(n);
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = i;
            q.write(v);
            hs.add(rt.spawn(() -> {
                bad.addAndGet(q.stale(v));
            }));
        }
        for (GreenHandle<Void> h : hs) {
            h.join();
        }
        assertThat(bad.get()).isZero();
    }

    @Test
    void aMutexUnlockHappensBeforeTheNextLockTimedOutRacesIncluded() {
        Mutex<Pair> m = new Mutex<>(new Pair());
        int threads = 4;
        int each = N / threads;
        AtomicInteger torn = new AtomicInteger();
        long[] acquired = rt.run(() -> {
            List<GreenHandle<Long>> hs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                hs.add(Green.spawn(() -> {
                    long got = 0;
                    for (int k = 0; k < each; k++) {
                        // Very short timeouts now and then: a grant racing the timeout keeps
                        // the lock (MutexCore.leaveQueue), which must hand off the same way.
                        Duration d = (k + me) % 7 == 0 ? Duration.ofNanos(1_000) : Duration.ofSeconds(30);
                        Mutex.Guard<Pair> g;
                        try {
                            g = m.lock(d);
                        } catch (TimedOutException busy) {
                            continue;
                        }
                        try (g) {
                            Pair s = g.get();
                            if (s.a != s.b) {
                                torn.incrementAndGet();
                            }
                            s.a++;
                            if (k % 16 == 0) {
                                Green.yield(); // another thread queues meanwhile: the unlock grants
                            }
                            s.b++;
                        }
                        got++;
                    }
                    return got;
                }));
            }
            long sum = 0;
            for (GreenHandle<Long> h : hs) {
                sum += h.join();
            }
            try (Mutex.Guard<Pair> g = m.lock(Duration.ofSeconds(30))) {
                return new long[] {sum, g.get().a, g.get().b};
            }
        });
        assertThat(torn.get()).isZero();
        assertThat(acquired[1]).isEqualTo(acquired[0]).isEqualTo(acquired[2]);
    }

    @Test
    void aForkedChildsWritesHappenBeforeJoinReturns() {
        int rounds = 200;
        int children = 20;
        Plain p = new Plain(rounds * children);
        int stale = rt.run(() -> {
            int bad = 0;
            for (int r = 0; r < rounds; r++) {
                List<Integer> done;
                try (TaskScope<Integer, List<Integer>> scope = TaskScope.open()) {
                    for (int c = 0; c < children; c++) {
                        int i = r * children + c;
                        scope.fork(() -> {
                            p.write(i);
                            return i;
                        });
                    }
                    done = scope.join();
                }
                for (int i : done) {
                    bad += p.stale(i);
                }
                for (int c = 0; c < children; c++) {
                    bad += p.stale(r * children + c);
                }
            }
            return bad;
        });
        assertThat(stale).isZero();
    }

    @Test
    void blockingWorkSeesTheCallersWritesAndTheCallerSeesTheWorks() {
        int n = 2_000;
        Plain in = new Plain(n);
        Plain out = new Plain(n);
        int stale = rt.run(() -> {
            int bad = 0;
            for (int i = 0; i < n; i++) {
                int v = i;
                in.write(v);
                int seenByWork = Green.blocking(() -> {
                    int s = in.stale(v);
                    out.write(v);
                    return s;
                });
                bad += seenByWork + out.stale(v);
            }
            return bad;
        });
        assertThat(stale).isZero();
    }

    @Test
    void aTimersMessageCarriesItsCreatorsWrites() {
        int n = 2_000;
        Plain p = new Plain(n);
        int stale = rt.run(() -> {
            GreenHandle<Integer> receiver = Green.spawn(() -> {
                int bad = 0;
                for (int k = 0; k < n; k++) {
                    bad += p.stale(Green.receive(Msg.class).i());
                }
                return bad;
            });
            Green.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    p.write(i);
                    // Mostly a zero delay (sent at once); every 100th goes through the wheel.
                    Green.sendAfter(receiver.pid(), new Msg(i), i % 100 == 0 ? Duration.ofMillis(1) : Duration.ZERO);
                }
            });
            return receiver.join();
        });
        assertThat(stale).isZero();
    }

    @Test
    void aRegistrationHappensBeforeALookupThatFindsIt() {
        int n = 2_000;
        Plain p = new Plain(n);
        Registry reg = rt.registry();
        int stale = rt.run(() -> {
            GreenHandle<Void> holder = Green.spawn(() -> {
                Green.receive(Msg.class);
            });
            GreenHandle<Integer> looker = Green.spawn(() -> {
                int bad = 0;
                for (int i = 0; i < n; i++) {
                    while (reg.whereis("memvis-" + i).isEmpty()) {
                        Green.yield();
                    }
                    bad += p.stale(i);
                }
                return bad;
            });
            for (int i = 0; i < n; i++) {
                p.write(i);
                reg.register("memvis-" + i, holder.pid());
                if (i % 32 == 0) {
                    Green.yield();
                }
            }
            int bad = looker.join();
            Green.send(holder.pid(), new Msg(0));
            holder.join();
            return bad;
        });
        assertThat(stale).isZero();
    }

    @Test
    void closeReturnsAfterTheWritesOfTheThreadsItWaitedFor() {
        int n = 2_000;
        Plain p = new Plain(n);
        Verdant other = Verdant.start(Config.builder().workers(2).name("memvis-close").build());
        try {
            for (int i = 0; i < n; i++) {
                int v = i;
                other.spawn(() -> p.write(v));
            }
        } finally {
            other.close();
        }
        int bad = 0;
        for (int i = 0; i < n; i++) {
            bad += p.stale(i);
        }
        assertThat(bad).isZero();
    }

    @Test
    void closeReturnsAfterTheWritesOfTheCallbacksOfEndedThreads() throws Exception {
        int n = 500;
        Plain p = new Plain(n);
        Verdant other = Verdant.start(Config.builder().workers(2).name("memvis-close-callbacks").build());
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int v = i;
                GreenHandle<Void> h = other.spawn(() -> {
                    go.await();
                    return null;
                });
                // Registered while the thread waits: run by the thread as it ends, after its joiners wake.
                h.onComplete((r, f) -> {
                    if (v % 50 == 0) {
                        Green.sleep(Duration.ofMillis(1)); // a callback may park
                    }
                    p.write(v);
                });
                hs.add(h);
            }
            go.countDown();
            for (GreenHandle<Void> h : hs) {
                h.join(); // returns before the thread's callbacks run
            }
        } finally {
            other.close();
        }
        int bad = 0;
        for (int i = 0; i < n; i++) {
            bad += p.stale(i);
        }
        assertThat(bad).isZero();
    }
}
