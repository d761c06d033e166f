package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restart whose child start fails for a reason of its own (an event actor's
 * initial-state supplier, user code run on the supervisor thread, throws) just as
 * the runtime begins to close: the supervisor fails with that exception, as it
 * does when no close is under way. Only the spawn the close refuses ends it
 * cancelled (SupervisorCloseDuringRestartTest). Before the fix any exception of
 * a start once the runtime was closing became a CancelledException, the user's
 * failure only a suppressed exception of a cancellation the runtime does not report.
 */
@Timeout(60)
class SupervisorStartFailureWhileClosingTest {

    @Test
    void aRestartWhoseInitialStateThrowsAsTheRuntimeClosesFailsTheSupervisorWithIt() throws Exception {
        LogCapture log = new LogCapture("io.verdant.supervisor"); // the restart's WARNING: kept off the console
        try {
            Verdant rt = Verdant.start(Config.builder().workers(2).name("sup-start-fail-closing").build());
            AtomicInteger incarnations = new AtomicInteger();
            AtomicBoolean closingWhenThrown = new AtomicBoolean();
            CompletableFuture<Void> closed = null;
            CompletableFuture<CompletableFuture<Void>> closeStarted = new CompletableFuture<>();
            Supervisor sup;
            try {
                Supervisor.ChildSpec a = Actors.childSpec("a", () -> {
                    if (incarnations.incrementAndGet() == 1) {
                        return 0;
                    }
                    // The restart's start: the runtime begins to close, then the state fails
                    // for a reason of its own.
                    CompletableFuture<Void> c = CompletableFuture.runAsync(rt::close);
                    closeStarted.complete(c);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!rt.isClosed() && System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    closingWhenThrown.set(rt.isClosed());
                    throw new IllegalArgumentException("a: no initial state");
                }, (Integer s, Object m) -> {
                    if ("crash".equals(m)) {
                        throw new IllegalStateException("a crashed");
                    }
                    return s;
                });
                sup = Supervisor.builder().intensity(10, Duration.ofMinutes(1)).child(a).start(rt);
                assertThat(Green.send(sup.child("a").orElseThrow(), "crash")).isTrue();
                closed = closeStarted.get(20, TimeUnit.SECONDS);
            } finally {
                if (closed == null) {
                    rt.close();
                }
            }
            closed.get(40, TimeUnit.SECONDS);
            assertThat(rt.isClosed()).isTrue();
            assertThat(incarnations.get()).isEqualTo(2);
            assertThat(closingWhenThrown).as("the runtime was closing when the start failed").isTrue();
            assertThat(sup.handle().isDone()).isTrue();
            assertThat(sup.handle().exceptionNow()).as("the supervisor's end")
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("a: no initial state");
        } finally {
            log.close();
        }
    }
}
