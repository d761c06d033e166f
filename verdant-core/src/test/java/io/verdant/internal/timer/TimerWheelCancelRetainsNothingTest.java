package io.verdant.internal.timer;

import io.verdant.TestWaits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancelled timer keeps neither the thread it would have unparked nor the action
 * it would have run (and what that captured), though the wheel unlinks it only at
 * its next drain: a node already linked, or one still in the inbox. The wheel runs
 * on a manual clock that never reaches the deadline, and nothing drains it after
 * the cancel, as for an idle runtime whose ticker sleeps towards a far deadline.
 */
@Timeout(120)
class TimerWheelCancelRetainsNothingTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final TimerWheel wheel = new TimerWheel(now::get, deadline -> { }, failures::add);

    @Test
    void aLinkedCancelledTimerKeepsNotItsThread() throws Exception {
        WeakReference<Thread> thread = armForEndedThreadAndCancel(true);
        TestWaits.awaitCollected(thread);
        assertThat(thread.get()).as("the ended thread of a cancelled, linked timer").isNull();
        assertThat(wheel.size()).as("the drain unlinks it").isZero();
    }

    @Test
    void anInboxCancelledTimerKeepsNotItsThread() throws Exception {
        WeakReference<Thread> thread = armForEndedThreadAndCancel(false);
        TestWaits.awaitCollected(thread);
        assertThat(thread.get()).as("the ended thread of a cancelled timer still in the inbox").isNull();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aLinkedCancelledTimerKeepsNotWhatItsActionCaptured() throws Exception {
        WeakReference<Object> payload = armActionAndCancel(true);
        TestWaits.awaitCollected(payload);
        assertThat(payload.get()).as("what the action of a cancelled, linked timer captured").isNull();
    }

    @Test
    void anInboxCancelledTimerKeepsNotWhatItsActionCaptured() throws Exception {
        WeakReference<Object> payload = armActionAndCancel(false);
        TestWaits.awaitCollected(payload);
        assertThat(payload.get()).as("what the action of a cancelled timer still in the inbox captured").isNull();
        assertThat(failures).isEmpty();
    }

    private WeakReference<Thread> armForEndedThreadAndCancel(boolean link) throws InterruptedException {
        Thread t = Thread.ofVirtual().start(() -> { });
        t.join();
        TimerWheel.Timer timer = wheel.wakeAt(now.get() + HOUR, t);
        if (link) {
            assertThat(wheel.size()).as("linked").isEqualTo(1);
        }
        assertThat(wheel.cancel(timer)).isTrue();
        return new WeakReference<>(t);
    }

    private WeakReference<Object> armActionAndCancel(boolean link) {
        Object captured = new Object();
        TimerWheel.Timer timer = wheel.runAt(now.get() + HOUR, () -> failures.add(new AssertionError(captured)));
        if (link) {
            assertThat(wheel.size()).as("linked").isEqualTo(1);
        }
        assertThat(wheel.cancel(timer)).isTrue();
        return new WeakReference<>(captured);
    }
}
