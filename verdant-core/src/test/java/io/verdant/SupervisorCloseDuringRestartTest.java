package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runtime that begins to close while its supervisor is in the middle of a
 * strategy restart (stopping a sibling of the child that failed, which takes a
 * moment) cancels the supervisor: it must end cancelled, as it does when the
 * close comes before the restart (SupervisorAtCloseTest), not fail with the
 * IllegalStateException ("is closed: cannot spawn") of the restart's spawn,
 * which the runtime then reports as a failure.
 */
@Timeout(60)
class SupervisorCloseDuringRestartTest {

    @Test
    void aCloseDuringAOneForAllRestartEndsTheSupervisorCancelled() throws Exception {
        List<Map.Entry<Pid, Throwable>> failures = new CopyOnWriteArrayList<>();
        CountDownLatch bStopping = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        AtomicReference<Supervisor> supRef = new AtomicReference<>();
        LogCapture log = new LogCapture("io.verdant.supervisor"); // the restart's WARNING: kept off the console
        try {
            Verdant rt = Verdant.start(Config.builder().workers(2).name("sup-close-restart")
                    .failureHandler((h, t) -> failures.add(Map.entry(h.pid(), t))).build());
            CompletableFuture<Void> closed;
            try {
                Supervisor.ChildSpec a = Supervisor.ChildSpec.of("a", () -> {
                    if ("crash".equals(Green.receive())) {
                        throw new IllegalStateException("a crashed");
                    }
                    return null;
                });
                Supervisor.ChildSpec b = Supervisor.ChildSpec.of("b", () -> {
                    try {
                        Green.receive();
                    } catch (CancelledException stopped) {
                        // Stopped by the ONE_FOR_ALL restart: holds the supervisor in its stop
                        // until the runtime has begun to close.
                        bStopping.countDown();
                        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (closing.getCount() > 0 && System.nanoTime() < end) {
                            Thread.interrupted();
                            try {
                                closing.await(10, TimeUnit.MILLISECONDS);
                            } catch (InterruptedException again) {
                                // the close's cancellation interrupts again
                            }
                        }
                        throw stopped;
                    }
                    return null;
                });
                Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.ONE_FOR_ALL)
                        .intensity(10, Duration.ofMinutes(1)).child(a).child(b).start(rt);
                supRef.set(sup);
                assertThat(Green.send(sup.child("a").orElseThrow(), "crash")).isTrue();
                assertThat(bStopping.await(20, TimeUnit.SECONDS)).as("b is being stopped by the restart").isTrue();
            } finally {
                closed = CompletableFuture.runAsync(rt::close);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!rt.isClosed() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                closing.countDown();
            }
            closed.get(40, TimeUnit.SECONDS);
            Supervisor sup = supRef.get();
            assertThat(sup.handle().isDone()).isTrue();
            assertThat(sup.handle().exceptionNow()).as("the supervisor's end").isInstanceOf(CancelledException.class);
            // Every failure is reported, the child's crash too; the supervisor's end only as a cancellation.
            assertThat(failures).as("failures reported").extracting(Map.Entry::getValue)
                    .noneMatch(t -> String.valueOf(t.getMessage()).contains("cannot spawn"));
            assertThat(failures).as("the supervisor's failure reported").filteredOn(f -> f.getKey().equals(sup.pid()))
                    .extracting(Map.Entry::getValue).allMatch(t -> t instanceof CancelledException);
        } finally {
            log.close();
        }
    }
}
