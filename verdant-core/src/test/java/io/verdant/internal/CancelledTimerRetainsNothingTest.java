package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.SendTimer;
import io.verdant.TestWaits;
import io.verdant.Verdant;
import io.verdant.internal.sched.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancelled timer keeps nothing of its waiter until its original deadline.
 * The wheel unlinks a cancelled node lazily, at its next drain, and the ticker
 * of an idle runtime drains only when it wakes: at the earliest armed deadline.
 * A {@link SendTimer} cancelled from a platform thread while the runtime was idle
 * left its node linked, and through the node's action the timer and its message,
 * until the deadline it was armed for (an hour here). Now cancel() clears the
 * node's target at once (TimerWheel, "Memory").
 */
@Timeout(120)
class CancelledTimerRetainsNothingTest {

    @Test
    void aSendTimerCancelledWhileTheRuntimeSleepsDropsItsMessage() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("cancelled-timer").build())) {
            // The addressee waits with no timeout: the send timer is the only armed timer.
            GreenHandle<Object> addressee = rt.spawn(() -> Green.receive());
            TestWaits.until(() -> addressee.state() == GreenState.WAITING, "the addressee waits");
            RuntimeCore core = RuntimeCore.of(addressee.pid());
            WeakReference<Object> message = armAndCancel(addressee, core);
            TestWaits.awaitCollected(message);
            assertThat(message.get()).as("the message of a cancelled send timer, an hour before its deadline")
                    .isNull();
            assertThat(addressee.isDone()).as("nothing was sent").isFalse();
        }
    }

    /** Arms an hour's send of a fresh message, waits until the ticker sleeps towards it, cancels it. */
    private static WeakReference<Object> armAndCancel(GreenHandle<Object> addressee, RuntimeCore core)
            throws InterruptedException {
        Ticker ticker = core.scheduler.ticker();
        long sleeps = ticker.idleSleeps();
        Object msg = new Payload();
        SendTimer timer = Green.sendAfter(addressee.pid(), msg, Duration.ofHours(1));
        // size() drains the inbox: the node is linked in the wheel from here on.
        assertThat(core.timers.size()).as("armed timers").isEqualTo(1);
        // The push woke the ticker (wakeForTimer); its next idle sleep is bounded by the hour.
        TestWaits.until(() -> ticker.idleSleeps() > sleeps, "the ticker sleeps towards the timer's deadline");
        assertThat(timer.cancel()).isTrue();
        return new WeakReference<>(msg);
    }

    /** A message of some size, with a short toString for a failure's message. */
    private static final class Payload {
        final byte[] bytes = new byte[1 << 20];

        @Override
        public String toString() {
            return "Payload";
        }
    }
}
