package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A carrier notes the thread whose dispatch holds its queued-copy token by the
 * thread's id (Worker.tokenRun), and ids repeat across runtimes: the first
 * thread of two fresh runtimes is (index 0, generation 0) in both. The JDK
 * wakes the joiners of a virtual thread from the carrier, after the thread's
 * last unmount (VirtualThread.afterDone), while that carrier still notes the
 * ended thread's dispatch. A joiner in another runtime with the same id must
 * be queued as any wake-up is (taking its own token), not as the ended thread
 * re-submitting itself: that path takes no token, so the joiner would run
 * with its token free, and a second copy of it could be queued beside it.
 */
@Timeout(60)
class CrossRuntimeTokenTest {

    @Test
    void aJoinerInAnotherRuntimeWithTheSameIdTakesItsOwnToken() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("token-a").build());
             Verdant b = Verdant.start(Config.builder().workers(1).name("token-b").build())) {
            AtomicReference<Thread> joined = new AtomicReference<>();
            CountDownLatch toJoin = new CountDownLatch(1);
            AtomicReference<Thread> joinerThread = new AtomicReference<>();
            AtomicBoolean joining = new AtomicBoolean();
            GreenHandle<String> joiner = b.spawn(() -> {
                joinerThread.set(Thread.currentThread());
                toJoin.await();
                joining.set(true); // from here on, its only park is the join's
                joined.get().join(); // the JDK's join: woken by the joined thread's afterDone
                return "joined";
            });
            Pid target = joiner.pid();

            // Threads of runtime a, each held at a gate, until one has the joiner's index and
            // generation (the first, in a fresh runtime; more only if something took it).
            List<CountDownLatch> gates = new ArrayList<>();
            List<GreenHandle<Void>> others = new ArrayList<>();
            GreenHandle<Void> twin = null;
            CountDownLatch twinGate = null;
            for (int i = 0; i < 64 && twin == null; i++) {
                CountDownLatch gate = new CountDownLatch(1);
                CompletableFuture<Thread> self = new CompletableFuture<>();
                GreenHandle<Void> h = a.spawn(() -> {
                    self.complete(Thread.currentThread());
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                if (Pids.index(h.pid()) == Pids.index(target) && Pids.generation(h.pid()) == Pids.generation(target)) {
                    twin = h;
                    twinGate = gate;
                    joined.set(self.get(20, TimeUnit.SECONDS));
                } else {
                    gates.add(gate);
                    others.add(h);
                }
            }
            assertThat(twin).as("a thread of runtime a with the joiner's index and generation").isNotNull();
            toJoin.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // Waits for a state, bounded: no latch can say "parked in the JDK's join".
            // The condition the loop saw is the one asserted: read again, it may have moved on.
            boolean inJoin;
            while (!(inJoin = joining.get() && joinerThread.get().getState() == Thread.State.WAITING)
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(inJoin).as("the joiner waits in join").isTrue();

            twinGate.countDown(); // the twin ends; its carrier wakes the joiner
            twin.join(Duration.ofSeconds(20));
            assertThat(joiner.join(Duration.ofSeconds(20))).isEqualTo("joined");
            // The joiner's last wake-up took its token (a CAS false -> true), and an ended
            // thread's dispatch keeps it: still taken. Queued by the other path it stays free.
            assertThat(((GreenThread<?>) joiner).queued).as("the joiner's token").isTrue();
            gates.forEach(CountDownLatch::countDown);
            for (GreenHandle<Void> h : others) {
                h.join(Duration.ofSeconds(20));
            }
        }
    }
}
