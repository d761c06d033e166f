package io.verdant.internal.vthread;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JDK version check that {@code Verdant.start} makes before touching JDK internals, and the one field read. */
@Timeout(60) // two tests start virtual threads and wait for them
class VirtualThreadsTest {
    @Test
    void aNewerJdkFailsWithAMessageNamingTheSupportedVersion() {
        assertThatThrownBy(() -> VirtualThreads.checkJdk(Runtime.Version.parse("26.0.1"), false))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("Verdant supports JDK 25 (built and tested on it); this JVM is JDK 26.0.1.")
                .hasMessageContaining("-Dio.verdant.allowUnsupportedJdk=true");
    }

    @Test
    void anOlderJdkFailsTheSameWay() {
        assertThatThrownBy(() -> VirtualThreads.checkJdk(Runtime.Version.parse("24"), false))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Verdant supports JDK 25");
    }

    @Test
    void theSupportedJdkAndTheOverridePass() {
        assertThatCode(() -> VirtualThreads.checkJdk(Runtime.Version.parse("25.0.3+9-LTS"), false)).doesNotThrowAnyException();
        assertThatCode(() -> VirtualThreads.checkJdk(Runtime.Version.parse("27-ea"), true)).doesNotThrowAnyException();
    }

    @Test
    void theRunningJdkIsSupported() {
        assertThatCode(VirtualThreads::check).doesNotThrowAnyException();
    }

    @Test
    void aTimedParkLeavesItsJdkTimeoutVisibleAnUntimedParkDoesNot() throws Exception {
        Thread timed = Thread.ofVirtual().start(() -> LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(1)));
        Thread untimed = Thread.ofVirtual().start(LockSupport::park);
        try {
            awaitState(timed, Thread.State.TIMED_WAITING);
            awaitState(untimed, Thread.State.WAITING);
            assertThat(VirtualThreads.jdkTimeoutPending(timed)).isTrue();
            assertThat(VirtualThreads.jdkTimeoutPending(untimed)).isFalse();
            assertThat(VirtualThreads.jdkTimeoutPending(Thread.currentThread())).isFalse();
        } finally {
            LockSupport.unpark(timed);
            LockSupport.unpark(untimed);
            assertThat(timed.join(Duration.ofSeconds(10))).isTrue();
            assertThat(untimed.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    /**
     * The spawn path's factory (no builder, the handler stored before start) makes
     * the same thread the builder makes: unstarted, virtual, named or unnamed, its
     * continuation submitted to the given executor, the given handler in place
     * before it runs.
     */
    @Test
    void theBuilderlessFactoryMakesTheThreadTheBuilderMakes() throws Exception {
        java.util.concurrent.ConcurrentLinkedQueue<Runnable> submitted = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.Executor executor = submitted::add;
        Thread.UncaughtExceptionHandler handler = (t, e) -> { };
        java.util.concurrent.atomic.AtomicReference<Object> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Thread named = VirtualThreads.newThread(executor, "named-one",
                () -> seen.set(Thread.currentThread().getUncaughtExceptionHandler()), handler);
        Thread unnamed = VirtualThreads.newThread(executor, null, () -> { }, handler);
        assertThat(named.isVirtual()).isTrue();
        assertThat(named.getState()).isEqualTo(Thread.State.NEW);
        assertThat(named.getName()).isEqualTo("named-one");
        assertThat(unnamed.getName()).isEqualTo(Thread.ofVirtual().unstarted(() -> { }).getName());
        assertThat(named.getUncaughtExceptionHandler()).isSameAs(handler);
        named.start();
        unnamed.start();
        // Both continuations went to our executor, not to the JDK's scheduler: run them here.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(named.getState() == Thread.State.TERMINATED && unnamed.getState() == Thread.State.TERMINATED)) {
            Runnable r = submitted.poll();
            if (r != null) {
                r.run();
            } else {
                assertThat(System.nanoTime()).as("threads never ran").isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
        assertThat(seen.get()).isSameAs(handler);
    }

    private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != state) {
            assertThat(System.nanoTime()).as("%s never reached %s", t, state).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void mayMountOnlyAnUnmountedRunnableThread() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean selfMounted = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread vt = Thread.ofVirtual().unstarted(() -> {
            selfMounted.set(VirtualThreads.mayMount(Thread.currentThread()));
            while (go.getCount() != 0) {
                LockSupport.park();
            }
        });
        assertThat(VirtualThreads.mayMount(vt)).as("new: not submitted, nothing to run").isFalse();
        vt.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (vt.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(selfMounted.get()).as("mounted (asked by itself)").isFalse();
        assertThat(VirtualThreads.mayMount(vt)).as("parked").isFalse();
        go.countDown();
        LockSupport.unpark(vt);
        assertThat(vt.join(Duration.ofSeconds(20))).isTrue();
        assertThat(VirtualThreads.mayMount(vt)).as("terminated").isFalse();
        assertThat(VirtualThreads.mayMount(Thread.currentThread())).as("a platform thread: unknown").isTrue();
        assertThat(VirtualThreads.mayMount(null)).isTrue();
    }

    /**
     * The mask test (see VirtualThreads, "Tests that keep no type profile"): a started
     * thread whose continuation its scheduler holds (STARTED), and one made runnable
     * again while held (UNPARKED after a park), may mount; the states around them may not.
     */
    @Test
    void mayMountAStartedAndAnUnparkedThreadHeldByItsScheduler() throws Exception {
        assertThat(VirtualThreads.mayMountMaskInUse()).as("the mask test is in use on this JDK").isTrue();
        java.util.concurrent.LinkedBlockingQueue<Runnable> held = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch parked = new java.util.concurrent.CountDownLatch(1);
        Thread vt = VirtualThreads.newThread(held::add, "held", () -> {
            parked.countDown();
            LockSupport.park();
        });
        vt.start();
        Runnable first = held.poll(20, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(VirtualThreads.startedNeverRan(vt)).isTrue();
        assertThat(VirtualThreads.mayMount(vt)).as("started, not yet run").isTrue();
        assertThat(VirtualThreads.unparked(VirtualThreads.mountState(vt))).as("started: no park to count").isZero();
        first.run(); // runs to its park, on this (platform) thread as carrier
        assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(VirtualThreads.mayMount(vt)).as("parked").isFalse();
        LockSupport.unpark(vt);
        Runnable again = held.poll(20, TimeUnit.SECONDS);
        assertThat(again).isNotNull();
        assertThat(VirtualThreads.mayMount(vt)).as("unparked, held by its scheduler").isTrue();
        assertThat(VirtualThreads.unparked(VirtualThreads.mountState(vt))).as("back from a park: one wait").isEqualTo(1);
        assertThat(VirtualThreads.resumesFromPark(vt)).isTrue();
        again.run(); // returns from the park and ends
        assertThat(vt.join(Duration.ofSeconds(20))).isTrue();
        assertThat(VirtualThreads.terminated(vt)).isTrue();
        assertThat(VirtualThreads.mayMount(vt)).as("terminated").isFalse();
        assertThat(VirtualThreads.unparked(VirtualThreads.mountState(vt))).as("terminated").isZero();
        assertThat(VirtualThreads.resumesFromPark(Thread.currentThread())).as("a platform thread").isFalse();
        assertThat(VirtualThreads.resumesFromPark(null)).isFalse();
    }
    /** Recurses until the stack overflows, then creates a thread both ways at every level on the way back. */
    private static void createAtEveryDepth(java.util.Set<String> thrown) {
        try {
            createAtEveryDepth(thrown);
        } catch (StackOverflowError e) {
            thrown.add("overflow in the recursion");
        }
        try {
            VirtualThreads.newThread(Runnable::run, "probe", () -> { }, (t, e) -> { });
        } catch (Throwable t) {
            thrown.add(t.toString());
        }
        try {
            VirtualThreads.newThread(Runnable::run, "probe", () -> { });
        } catch (Throwable t) {
            thrown.add(t.toString());
        }
    }

    /**
     * A thread creation (a spawn) that runs out of stack throws the
     * StackOverflowError itself, as any call would, not an IllegalStateException
     * saying the virtual thread factory failed (which points at the JDK or the
     * --add-opens flags, and is not what a caller catching the overflow expects).
     */
    @Test
    void aCreationThatOverflowsTheStackThrowsTheStackOverflowError() throws Exception {
        java.util.Set<String> thrown = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread t = Thread.ofPlatform().stackSize(256 << 10).start(() -> {
            for (int round = 0; round < 20; round++) {
                createAtEveryDepth(thrown);
            }
        });
        assertThat(t.join(Duration.ofSeconds(50))).isTrue();
        assertThat(thrown).contains("overflow in the recursion")
                .allMatch(s -> s.equals("overflow in the recursion") || s.equals("java.lang.StackOverflowError"));
    }
}
