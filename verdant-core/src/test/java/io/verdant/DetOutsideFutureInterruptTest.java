package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The untimed waits of a handle's futures from outside a deterministic runtime
 * (DetOutsideFutureTest) keep the JDK's interrupt conventions: a
 * CompletableFuture's join is not interruptible (it waits on and keeps the
 * interrupt status), its get and asFuture().get() are (InterruptedException,
 * status cleared); and the run's failure completes the future once, whoever
 * waits, so a dependent stage sees it once.
 */
@Timeout(300)
class DetOutsideFutureInterruptTest {
    private static final long BOUND_SECONDS = 30;

    private static GreenHandle<Integer> deadlocked(Verdant rt) {
        Channel<Integer> never = Channel.rendezvous();
        return rt.spawn(() -> never.receive());
    }

    private static Object callBounded(long seed, java.util.function.Function<Verdant, Object> call) throws Exception {
        return DetRuns.callFromOutsideBounded(Determinism.seed(seed), BOUND_SECONDS, "the future's wait", call);
    }

    @Test
    void anInterruptedJoinStillGetsTheDeadlockAndKeepsItsInterruptStatus() throws Exception {
        Object r = callBounded(21, rt -> {
            CompletableFuture<Integer> f = deadlocked(rt).toCompletableFuture();
            Thread.currentThread().interrupt();
            Object out;
            try {
                out = f.join();
            } catch (CompletionException e) {
                out = e;
            }
            return new Object[] {out, Thread.interrupted()};
        });
        Object[] got = (Object[]) r;
        assertThat(got[0]).isInstanceOf(CompletionException.class);
        assertThat(((Throwable) got[0]).getCause()).isInstanceOf(DeadlockException.class);
        assertThat(got[1]).as("interrupt status after join").isEqualTo(true);
    }

    /**
     * Before, the interrupted caller registered as waiting on the run first: the carrier
     * then found every thread blocked and failed the run with a deadlock, which the get
     * reported (ExecutionException) and which stayed the run's failure, instead of the
     * InterruptedException the JDK's get throws at once; which came first was a race.
     */
    @Test
    void anInterruptedGetThrowsInterruptedExceptionAndClearsTheStatus() throws Exception {
        java.util.List<String> wrong = new java.util.ArrayList<>();
        for (int k = 0; k < 10; k++) {
            int which = k % 2;
            Object r = callBounded(40 + k, rt -> {
                GreenHandle<Integer> h = deadlocked(rt);
                Thread.currentThread().interrupt();
                Object out;
                try {
                    out = which == 0 ? h.toCompletableFuture().get() : h.asFuture().get();
                } catch (InterruptedException | ExecutionException e) {
                    out = e;
                }
                return new Object[] {out, Thread.interrupted()};
            });
            Object[] got = (Object[]) r;
            if (!(got[0] instanceof InterruptedException) || !got[1].equals(false)) {
                wrong.add("round " + k + (which == 0 ? " (toCompletableFuture().get)" : " (asFuture().get)")
                        + ": " + got[0] + ", interrupted after: " + got[1]);
            }
        }
        assertThat(wrong).as("rounds whose interrupted get did not throw InterruptedException with the status cleared")
                .isEmpty();
    }

    @Test
    void twoOutsideJoinersCompleteTheFutureOnceAndItsDependentRunsOnce() throws Exception {
        Object r = callBounded(25, rt -> {
            CompletableFuture<Integer> f = deadlocked(rt).toCompletableFuture();
            AtomicInteger failures = new AtomicInteger();
            CompletableFuture<Integer> dependent = f.exceptionally(t -> {
                failures.incrementAndGet();
                return -1;
            });
            CompletableFuture<Object> other = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    other.complete(f.join());
                } catch (Throwable t) {
                    other.complete(t);
                }
            });
            Object mine;
            try {
                mine = f.join();
            } catch (CompletionException e) {
                mine = e;
            }
            try {
                return new Object[] {mine, other.get(BOUND_SECONDS, TimeUnit.SECONDS),
                        dependent.get(BOUND_SECONDS, TimeUnit.SECONDS), failures.get()};
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(r).isInstanceOf(Object[].class);
        Object[] got = (Object[]) r;
        assertThat(got[0]).isInstanceOf(CompletionException.class);
        assertThat(got[1]).isInstanceOf(CompletionException.class);
        assertThat(((Throwable) got[0]).getCause()).isSameAs(((Throwable) got[1]).getCause())
                .isInstanceOf(DeadlockException.class);
        assertThat(got[2]).isEqualTo(-1);
        assertThat(got[3]).as("the dependent's runs").isEqualTo(1);
    }
}
