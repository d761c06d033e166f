package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread whose stack overflows inside a blocking operation (one near
 * the end of a runaway recursion, whose park needs more stack than is left)
 * fails on its own: the wait leaves nothing behind (no timer armed on the
 * runtime's wheel, no call left open to swallow a reply, no blocking work
 * left running for nobody on the pool the other green threads share).
 */
@Timeout(60)
class WaitStackOverflowTest {

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).blockingThreads(1).name("wait-soe").build());
    }

    @AfterEach
    void close() {
        rt.close();
    }

    /** Runs {@code op} near the end of the stack at most {@code attempts} times; returns how many overflowed. */
    private static int overflowingIn(int attempts, IntConsumer op) {
        NearStackEnd.Counts ends = NearStackEnd.call(100, 20, attempts, op);
        if (ends.firstOther != null) {
            throw new AssertionError("an operation threw", ends.firstOther);
        }
        return ends.overflows;
    }

    @Test
    void aTimedWaitThatOverflowsLeavesNoTimerArmed() {
        int attempts = 100;
        int overflows = rt.run(() -> {
            // Each attempt joins a child it has just let end: the join parks with a one-hour
            // timer, and the child's end wakes it long before.
            List<GreenHandle<Void>> children = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                children.add(Green.spawn(() -> {
                    Green.receive();
                    return null;
                }));
            }
            try {
                return overflowingIn(attempts, i -> {
                    Green.send(children.get(i).pid(), "go");
                    children.get(i).join(Duration.ofHours(1));
                });
            } finally {
                for (GreenHandle<Void> c : children) {
                    c.cancel();
                }
            }
        });
        assertThat(overflows).as("joins that overflowed").isPositive();
        assertThat(TestAccess.timers(rt)).as("timers left armed by the waits that overflowed").isZero();
    }

    record Hold(ReplyTo<Integer> replyTo) {
    }

    record Sync(ReplyTo<Integer> replyTo) {
    }

    @Test
    void aCallWhoseWaitOverflowsEndsTheCallSoALateReplyIsADeadLetter() {
        ConcurrentLinkedQueue<ReplyTo<Integer>> held = new ConcurrentLinkedQueue<>();
        GreenHandle<Void> callee = rt.spawn(() -> {
            for (;;) {
                switch (Green.receive()) {
                    case Hold(ReplyTo<Integer> r) -> held.add(r);
                    case Sync(ReplyTo<Integer> r) -> r.reply(0);
                    default -> {
                        return null;
                    }
                }
            }
        });
        int overflows = rt.run(() -> {
            int n = overflowingIn(100, i -> Green.call(callee.pid(), Hold::new, Duration.ofMillis(1)));
            // Every request is held once the callee answers this one.
            Green.call(callee.pid(), Sync::new, Duration.ofSeconds(10));
            return n;
        });
        assertThat(overflows).as("calls that overflowed").isPositive();
        assertThat(held).as("requests held").isNotEmpty();
        for (ReplyTo<Integer> r : held) {
            assertThat(r.isWaiting()).as("a call that ended still waits: " + r).isFalse();
            assertThat(r.reply(1)).as("a reply delivered to a call that ended: " + r).isFalse();
        }
        rt.send(callee.pid(), "stop");
    }

    @Test
    void aBlockingCallWhoseWaitOverflowsStopsItsWork() throws Exception {
        int attempts = 30;
        // What each attempt's work did: null (never ran), "ended" or "interrupted".
        AtomicReferenceArray<String> work = new AtomicReferenceArray<>(attempts);
        boolean[] overflowed = new boolean[attempts];
        // Made before the dive: a lambda linked at the end of the stack would fail for good.
        List<Callable<Void>> works = new ArrayList<>();
        for (int a = 0; a < attempts; a++) {
            int i = a;
            works.add(() -> {
                try {
                    // Stands for work that blocks long (a read that never comes): a caller
                    // that overflowed must not leave it holding the pool's one thread.
                    new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS);
                    work.set(i, "ended");
                } catch (InterruptedException e) {
                    work.set(i, "interrupted");
                }
                return null;
            });
        }
        int overflows = rt.run(() -> {
            int n = overflowingIn(attempts, i -> {
                try {
                    Green.blocking(works.get(i));
                } catch (StackOverflowError e) {
                    overflowed[i] = true;
                    throw e;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            // The pool's one thread runs calls in order: every earlier work has ended.
            Green.blocking(() -> null);
            return n;
        });
        assertThat(overflows).as("blocking calls that overflowed").isPositive();
        for (int i = 0; i < attempts; i++) {
            if (overflowed[i]) {
                assertThat(work.get(i)).as("the work of call " + i + ", whose caller overflowed").isNotEqualTo("ended");
            }
        }
    }

    @Test
    void aScopeWhoseWaitOverflowsCancelsItsChildren() {
        int attempts = 30;
        // What each attempt's child did: null (never ran), "ended" or "cancelled".
        AtomicReferenceArray<String> child = new AtomicReferenceArray<>(attempts);
        AtomicReferenceArray<GreenHandle<Void>> handles = new AtomicReferenceArray<>(attempts);
        boolean[] overflowed = new boolean[attempts];
        // Made before the dive: a lambda linked at the end of the stack would fail for good.
        List<Scope.Body<Void, RuntimeException>> bodies = new ArrayList<>();
        for (int a = 0; a < attempts; a++) {
            int i = a;
            Callable<Void> task = () -> {
                try {
                    // Stands for a child that runs long: a scope must not leave it running.
                    Green.sleep(Duration.ofMillis(100));
                    child.set(i, "ended");
                } catch (CancelledException e) {
                    child.set(i, "cancelled");
                }
                return null;
            };
            bodies.add(scope -> {
                handles.set(i, scope.spawn(task));
                return null;
            });
        }
        int overflows = rt.run(() -> overflowingIn(attempts, i -> {
            try {
                Green.scope(bodies.get(i));
            } catch (StackOverflowError e) {
                overflowed[i] = true;
                throw e;
            }
        }));
        assertThat(overflows).as("scopes that overflowed").isPositive();
        rt.run(() -> {
            for (int i = 0; i < attempts; i++) {
                GreenHandle<Void> h = handles.get(i);
                if (h != null) {
                    h.join(Duration.ofSeconds(10));
                }
            }
            return null;
        });
        for (int i = 0; i < attempts; i++) {
            if (overflowed[i]) {
                assertThat(child.get(i)).as("the child of scope " + i + ", whose owner overflowed").isNotEqualTo("ended");
            }
        }
    }

    @Test
    void aWithTimeoutWhoseWaitOverflowsCancelsItsBody() throws InterruptedException {
        int attempts = 30;
        // What each attempt's body did: null (never ran), "ended" or "cancelled".
        AtomicReferenceArray<String> body = new AtomicReferenceArray<>(attempts);
        boolean[] overflowed = new boolean[attempts];
        // Made before the dive: a lambda linked at the end of the stack would fail for good.
        List<Green.Block<Void, RuntimeException>> bodies = new ArrayList<>();
        for (int a = 0; a < attempts; a++) {
            int i = a;
            bodies.add(() -> {
                try {
                    // Stands for a body that runs long: it must not outlive the call.
                    Green.sleep(Duration.ofMillis(100));
                    body.set(i, "ended");
                } catch (CancelledException e) {
                    body.set(i, "cancelled");
                }
                return null;
            });
        }
        int overflows = rt.run(() -> overflowingIn(attempts, i -> {
            try {
                Green.withTimeout(Duration.ofHours(1), bodies.get(i));
            } catch (StackOverflowError e) {
                overflowed[i] = true;
                throw e;
            }
        }));
        assertThat(overflows).as("withTimeout calls that overflowed").isPositive();
        // The bodies left behind have no handle to join: wait for the runtime to hold no thread.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rt.liveThreads() > 0 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(rt.liveThreads()).as("green threads still running").isZero();
        for (int i = 0; i < attempts; i++) {
            if (overflowed[i]) {
                assertThat(body.get(i)).as("the body of call " + i + ", whose caller overflowed").isNotEqualTo("ended");
            }
        }
    }
}
