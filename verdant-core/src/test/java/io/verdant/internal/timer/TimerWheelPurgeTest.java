package io.verdant.internal.timer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The purge of a wheel nothing drains (TimerWheel, "Memory"): the push that makes
 * the inbox {@link TimerWheel#PURGE_DEPTH} deep drops its cancelled nodes and
 * links its pending ones, and leaves a node already due, pending, for the
 * thread driving the wheel to fire. On a manual clock; nothing calls advance()
 * but where said.
 */
@Timeout(60)
class TimerWheelPurgeTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Test
    void thePushThatFillsTheInboxDropsItsCancelledNodesAndLinksThePendingOnes() {
        TimerWheel wheel = new TimerWheel(now::get, deadline -> { }, failures::add);
        for (int i = 1; i < TimerWheel.PURGE_DEPTH; i++) {
            assertThat(wheel.cancel(wheel.runAt(now.get() + HOUR, () -> { }))).isTrue();
        }
        assertThat(wheel.nodesHeld()).as("cancelled nodes in the inbox before the purge")
                .isEqualTo(TimerWheel.PURGE_DEPTH - 1);
        TimerWheel.Timer kept = wheel.runAt(now.get() + HOUR, () -> { });
        assertThat(wheel.nodesHeld()).as("after the purge: the one pending timer, linked").isEqualTo(1);
        assertThat(wheel.isPending(kept)).isTrue();
        // Linked, then cancelled: the next purge unlinks it.
        assertThat(wheel.cancel(kept)).isTrue();
        for (int i = 1; i <= TimerWheel.PURGE_DEPTH; i++) {
            wheel.cancel(wheel.runAt(now.get() + HOUR, () -> { }));
        }
        // The purge ran in the last push, before its cancel: that node is linked, the rest gone.
        assertThat(wheel.nodesHeld()).as("after a second purge").isEqualTo(1);
        assertThat(failures).isEmpty();
    }

    @Test
    void aNodeAlreadyDueAtThePurgeStaysPendingForTheDriverToFire() throws Exception {
        // The pusher reads the clock, then stalls before its push while the driver advances
        // past its deadline: the node is due when the purge finds it in the inbox.
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> stalled = new AtomicReference<>();
        TimerWheel wheel = new TimerWheel(() -> {
            long t = now.get();
            if (Thread.currentThread() == stalled.get()) {
                read.countDown();
                try {
                    assertThat(go.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return t;
        }, deadline -> { }, failures::add);
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        AtomicReference<TimerWheel.Timer> node = new AtomicReference<>();
        Thread pusher = new Thread(() -> node.set(wheel.runAt(now.get() + TimerWheel.TICK_NANOS,
                () -> firedOn.set(Thread.currentThread()))), "pusher");
        stalled.set(pusher);
        pusher.start();
        assertThat(read.await(30, TimeUnit.SECONDS)).as("the pusher read the clock").isTrue();
        now.addAndGet(2 * TimerWheel.TICK_NANOS);
        wheel.advance(); // the wheel has processed past the pusher's deadline
        for (int i = 1; i < TimerWheel.PURGE_DEPTH; i++) {
            wheel.cancel(wheel.runAt(now.get() + HOUR, () -> { }));
        }
        go.countDown();
        pusher.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(pusher.isAlive()).isFalse();
        TimerWheel.Timer due = node.get();
        assertThat(firedOn.get()).as("the purge on the pusher fired nothing").isNull();
        assertThat(wheel.isPending(due)).isTrue();
        assertThat(wheel.nodesHeld()).as("the due node, back in the inbox; the cancelled dropped").isEqualTo(1);
        wheel.advance();
        assertThat(firedOn.get()).as("the driver fires it").isSameAs(Thread.currentThread());
        assertThat(wheel.isFired(due)).isTrue();
        assertThat(wheel.nodesHeld()).isZero();
        assertThat(failures).isEmpty();
    }
    @Test
    void aNodeThePurgePutsBackCountsFromTheInboxItGoesBackOn() throws Exception {
        // A node due at the purge, pushed 1,023rd (the push below it purges), goes back on
        // the inbox: the pushes after it must count from there, so the next purge comes
        // PURGE_DEPTH pushes later. With its depth left as it was pushed (1,023), every
        // later push made the inbox "1,024 deep" and purged, until the driver drained.
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> stalled = new AtomicReference<>();
        TimerWheel wheel = new TimerWheel(() -> {
            long t = now.get();
            if (Thread.currentThread() == stalled.get()) {
                read.countDown();
                try {
                    assertThat(go.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return t;
        }, deadline -> { }, failures::add);
        AtomicReference<TimerWheel.Timer> node = new AtomicReference<>();
        Thread pusher = new Thread(() -> node.set(wheel.runAt(now.get() + TimerWheel.TICK_NANOS, () -> { })), "pusher");
        stalled.set(pusher);
        pusher.start();
        assertThat(read.await(30, TimeUnit.SECONDS)).as("the pusher read the clock").isTrue();
        now.addAndGet(2 * TimerWheel.TICK_NANOS);
        wheel.advance(); // the wheel has processed past the pusher's deadline
        for (int i = 1; i <= TimerWheel.PURGE_DEPTH - 2; i++) {
            wheel.cancel(wheel.runAt(now.get() + HOUR, () -> { }));
        }
        go.countDown();
        pusher.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(pusher.isAlive()).isFalse();
        TimerWheel.Timer kept = wheel.runAt(now.get() + HOUR, () -> { }); // the PURGE_DEPTH-th push: purges
        assertThat(wheel.nodesHeld()).as("after the purge: the due node back in the inbox, kept linked").isEqualTo(2);
        int more = 10;
        for (int i = 0; i < more; i++) {
            wheel.cancel(wheel.runAt(now.get() + HOUR, () -> { }));
        }
        assertThat(wheel.nodesHeld()).as("no purge in the next pushes: their cancelled nodes still in the inbox")
                .isEqualTo(2 + more);
        assertThat(wheel.isPending(node.get())).isTrue();
        wheel.advance();
        assertThat(wheel.isFired(node.get())).as("the driver fires the due node").isTrue();
        assertThat(wheel.isPending(kept)).isTrue();
        assertThat(failures).isEmpty();
    }
}
