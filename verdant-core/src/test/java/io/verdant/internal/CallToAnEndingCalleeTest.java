package io.verdant.internal;

import io.verdant.CalleeExitedException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.ReplyTo;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call whose callee (an unbounded mailbox) ends after the call looked it up
 * and before its request is sent, the send finding the callee's pid dead while
 * its status is not yet final (held at fault site SLOT_EMPTIED). The call
 * fails with CalleeExitedException, as for any callee that ends before
 * replying. Before the fix it threw MailboxFullException ("mailbox ... is full
 * (capacity 0) ... the request was dropped"): the call took a failed send to a
 * callee whose status was not final for a bounded mailbox's drop.
 */
@Timeout(60)
class CallToAnEndingCalleeTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCalleeEndingBeforeTheRequestIsSentFailsTheCallWithCalleeExited() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("call-ending-callee").build())) {
            CountDownLatch end = new CountDownLatch(1);
            GreenHandle<Object> callee = rt.spawn(() -> {
                end.await();
                return null;
            });
            Pid pid = callee.pid();
            AtomicBoolean armed = new AtomicBoolean(true);
            CountDownLatch inWindow = new CountDownLatch(1);
            AtomicBoolean checked = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = GreenThread.current();
                if (site.equals("SLOT_EMPTIED") && g != null && g.pid().equals(pid) && armed.compareAndSet(true, false)) {
                    inWindow.countDown();
                    // Held (spinning: nothing may park here) while the caller sends, at most 1 s:
                    // a call that waits for the callee's exit needs it to go on.
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    while (!checked.get() && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
            });
            try {
                // The request is made after the call looked the callee up, before it sends.
                assertThatThrownBy(() -> Green.call(pid, (ReplyTo<String> r) -> {
                    end.countDown();
                    try {
                        assertThat(inWindow.await(20, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return "request";
                }, Duration.ofSeconds(20)))
                        .isInstanceOf(CalleeExitedException.class)
                        .satisfies(e -> assertThat(((CalleeExitedException) e).pid()).isEqualTo(pid));
            } finally {
                checked.set(true);
            }
            callee.join(Duration.ofSeconds(20));
        }
    }
}
