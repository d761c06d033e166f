package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A green thread of a runtime that is closing, cancelled by that close (step 2 of
 * RuntimeCore's shutdown), that then calls {@code rt.run} or {@code rt.call} on its own
 * runtime gets {@link CancelledException}, as from every other Verdant operation, not
 * the {@link IllegalStateException} a caller from outside gets for a closed runtime
 * (ClosedRuntimeInterruptedCallerTest). With the closed check made first for every
 * caller, such a thread got IllegalStateException, and one that let it escape ended
 * failed (reported to the failure handler, or logged as an unobserved failure) instead
 * of cancelled.
 */
@Timeout(60)
class ClosingRuntimeOwnGreenCallerTest {

    @Test
    void aGreenThreadCancelledByItsRuntimesCloseGetsCancelledExceptionFromRunAndCall() throws Exception {
        // A long shutdown timeout: the close must wait for the callers, not abandon them, on a
        // loaded machine.
        Verdant rt = Verdant.start(Config.builder().workers(1).name("closing-own-caller")
                .shutdownTimeout(Duration.ofSeconds(30)).build());
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> seen = new CompletableFuture<>();
        GreenHandle<Object> escaping;
        try {
            Pid callee = rt.spawn(() -> Green.receive(Object.class)).pid();
            rt.spawn(() -> {
                started.countDown();
                try {
                    Green.receive(Object.class); // ended by the close's cancellation
                    seen.complete("the receive returned");
                    return;
                } catch (CancelledException expected) {
                    // the close cancelled this thread: the runtime is closing now
                }
                StringBuilder out = new StringBuilder();
                for (String what : new String[] {"run", "call"}) {
                    try {
                        if (what.equals("run")) {
                            rt.run(() -> "body");
                        } else {
                            rt.call(callee, r -> "ping", String.class, Duration.ofSeconds(20));
                        }
                        out.append(what).append(":returned ");
                    } catch (RuntimeException e) {
                        out.append(what).append(':').append(e.getClass().getSimpleName()).append(' ');
                    }
                }
                seen.complete(out.toString().trim());
            });
            // One that lets the exception escape: it must end cancelled, not failed.
            escaping = rt.spawn(() -> {
                try {
                    return Green.receive(Object.class);
                } catch (CancelledException expected) {
                    return rt.call(callee, r -> "ping", String.class, Duration.ofSeconds(20));
                }
            });
            assertThat(started.await(20, TimeUnit.SECONDS)).as("the caller started").isTrue();
        } finally {
            rt.close();
        }
        assertThat(seen.get(20, TimeUnit.SECONDS)).isEqualTo("run:CancelledException call:CancelledException");
        // Its failure is the cancellation, as for a thread that let a receive's escape
        // (not logged as unobserved: RuntimeCore.reportFailure), never IllegalStateException.
        Throwable thrown = catchThrowable(escaping::join);
        Throwable failure = thrown instanceof GreenFailedException f ? f.getCause() : thrown;
        assertThat(failure).as("the failure of the thread that let rt.call's exception escape")
                .isInstanceOf(CancelledException.class);
    }
}
