package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.TestWaits;
import io.verdant.Verdant;
import io.verdant.internal.sched.StaleQueueSlots;
import io.verdant.internal.timer.TimerWheel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread whose timed wait (an hour) ended early, by cancellation or by the
 * value arriving, and which then ended, is not kept by its timer: neither its
 * thread nor what it captured stays reachable from the wheel until the hour is up. The wait
 * disarms its timer before the thread ends; the wheel clears a cancelled node's
 * thread at once and unlinks it at its next drain (TimerWheel, "Memory").
 */
@Timeout(180)
class EndedTimedWaiterRetainedByNoTimerTest {
    private static final int WORKERS = 1;

    @Test
    void aThreadCancelledInAnHoursSleepIsCollectedOnceEnded() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(WORKERS).name("ended-sleeper").build())) {
            AtomicReference<WeakReference<Thread>> thread = new AtomicReference<>();
            WeakReference<Object> captured = sleepAndCancel(rt, thread);
            StaleQueueSlots.overwrite(rt, WORKERS);
            TestWaits.awaitCollected(thread.get());
            TestWaits.awaitCollected(captured);
            assertThat(thread.get().get()).as("the ended sleeper, an hour before its timer's deadline").isNull();
            assertThat(captured.get()).as("what the ended sleeper captured").isNull();
        }
    }

    @Test
    void aThreadWhoseHoursReceiveGotItsMessageIsCollectedOnceEnded() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(WORKERS).name("ended-receiver").build())) {
            AtomicReference<WeakReference<Thread>> thread = new AtomicReference<>();
            WeakReference<Object> captured = receiveEarly(rt, thread);
            StaleQueueSlots.overwrite(rt, WORKERS);
            TestWaits.awaitCollected(thread.get());
            TestWaits.awaitCollected(captured);
            assertThat(thread.get().get()).as("the ended receiver, an hour before its timer's deadline").isNull();
            assertThat(captured.get()).as("what the ended receiver captured").isNull();
        }
    }

    private static WeakReference<Object> sleepAndCancel(Verdant rt, AtomicReference<WeakReference<Thread>> thread)
            throws Exception {
        Object payload = new Object();
        GreenHandle<Void> h = rt.spawn(() -> {
            thread.set(new WeakReference<>(Thread.currentThread()));
            Green.sleep(Duration.ofHours(1));
            payload.hashCode(); // never reached: keeps payload live across the wait
        });
        TestWaits.until(() -> h.state() == GreenState.WAITING, "the thread sleeps");
        linkArmedTimers(h);
        h.cancel();
        TestWaits.until(h::isDone, "the cancelled thread ends");
        return new WeakReference<>(payload);
    }

    private static WeakReference<Object> receiveEarly(Verdant rt, AtomicReference<WeakReference<Thread>> thread)
            throws Exception {
        Object payload = new Object();
        GreenHandle<Object> h = rt.spawn(() -> {
            thread.set(new WeakReference<>(Thread.currentThread()));
            Object m = Green.receive(Duration.ofHours(1));
            return m == payload ? null : m; // uses payload after the wait
        });
        TestWaits.until(() -> h.state() == GreenState.WAITING, "the thread waits in receive");
        linkArmedTimers(h);
        assertThat(Green.send(h.pid(), "early")).isTrue();
        assertThat(h.join(Duration.ofSeconds(30))).isEqualTo("early");
        return new WeakReference<>(payload);
    }

    /**
     * Waits until the waiter's timer is armed; size() drains the wheel's inbox, so it
     * is linked in a slot from then on. (WAITING may be seen before the wait that arms it.)
     */
    private static void linkArmedTimers(GreenHandle<?> h) throws InterruptedException {
        TimerWheel timers = RuntimeCore.of(h.pid()).timers;
        TestWaits.until(() -> timers.size() > 0, "the waiter's timer is armed");
    }
}
