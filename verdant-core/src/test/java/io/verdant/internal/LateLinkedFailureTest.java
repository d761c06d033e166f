package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.LinkedFailureException;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failure whose exit signal reaches a linked thread that does not die of it
 * (another linked failure killed it first, or it was already ending) was
 * delivered to no one, so it counts as unobserved and is logged. Before, it
 * counted as observed and vanished: with two linked children failing, the log
 * showed the parent's LinkedFailureException naming one child and nothing
 * about the other; a child failing while its linked parent was ending
 * normally was not logged at all, and the parent succeeded.
 */
@Timeout(60)
class LateLinkedFailureTest {
    /** Held here: java.util.logging keeps loggers weakly. */
    private static final Logger FAILURES = Logger.getLogger(RuntimeCore.FAILURES_LOGGER);
    private final String name = "late-linked-" + System.nanoTime();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel() == Level.WARNING && r.getMessage().contains("'" + name + "'")) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final boolean parents = FAILURES.getUseParentHandlers();

    {
        FAILURES.addHandler(capture);
        FAILURES.setUseParentHandlers(false);
    }

    @AfterEach
    void restore() {
        SchedulerTestAccess.atSites(null);
        FAILURES.removeHandler(capture);
        FAILURES.setUseParentHandlers(parents);
    }

    private static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String message) {
            super(message);
        }
    }

    /** The WARNING records (written by the time close returned: it flushes the log writer). */
    private boolean logged(Throwable failure) {
        return records.stream().anyMatch(r -> r.getThrown() == failure
                || r.getThrown() instanceof LinkedFailureException l && l.getCause() == failure);
    }

    @Test
    void bothFailuresOfTwoLinkedChildrenAreReported() throws Exception {
        Boom first = new Boom("first");
        Boom second = new Boom("second");
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> childA = new AtomicReference<>();
        AtomicReference<Thread> childB = new AtomicReference<>();
        CountDownLatch spawned = new CountDownLatch(1);
        GreenHandle<Void> parent;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name(name).build())) {
            parent = rt.spawn(() -> {
                GreenHandle<Void> a = Green.spawner().link().spawn(() -> {
                    throw first;
                });
                GreenHandle<Void> b = Green.spawner().link().spawn(() -> {
                    throw second;
                });
                childA.set(((GreenThread<?>) a).virtualThread());
                childB.set(((GreenThread<?>) b).virtualThread());
                spawned.countDown();
                // Killed by the first exit; stays alive (past the interrupt) until both children ended.
                for (;;) {
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException e) {
                        // the kill's interrupt: keep waiting
                    }
                }
            });
            assertThat(spawned.await(20, TimeUnit.SECONDS)).isTrue();
            // Both children ended (exits delivered) while the parent is alive; not a join (no observer).
            assertThat(childA.get().join(Duration.ofSeconds(20))).isTrue();
            assertThat(childB.get().join(Duration.ofSeconds(20))).isTrue();
            release.countDown();
            assertThat(((GreenThread<?>) parent).virtualThread().join(Duration.ofSeconds(20))).isTrue();
        }
        Throwable killedWith = parent.exceptionNow();
        assertThat(killedWith).isInstanceOf(LinkedFailureException.class);
        Boom other = killedWith.getCause() == first ? second : first;
        assertThat(logged(killedWith.getCause())).as("the parent's failure is logged").isTrue();
        assertThat(logged(other)).as("the failure the parent did not end with (%s) is logged; records: %s",
                other.getMessage(), records.stream().map(LogRecord::getMessage).toList()).isTrue();
    }

    @Test
    void aFailureReachingALinkedParentThatIsEndingIsReported() throws Exception {
        Boom late = new Boom("late");
        CountDownLatch parentEnding = new CountDownLatch(1);
        AtomicReference<GreenThread<?>> parentRef = new AtomicReference<>();
        AtomicReference<Thread> childRef = new AtomicReference<>();
        AtomicReference<Throwable> hookFailure = new AtomicReference<>();
        GreenHandle<String> parent;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name(name).build())) {
            // The parent, ending normally, emptied its pid slot and has not written its status:
            // hold it there until its linked child has failed and delivered its exit.
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = GreenThread.current();
                if (site.equals("SLOT_EMPTIED") && g != null && g == parentRef.get()) {
                    try {
                        parentEnding.countDown();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        Thread child = childRef.get();
                        while (child.isAlive() && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        assertThat(child.isAlive()).as("the child ended while the parent was held").isFalse();
                    } catch (Throwable t) {
                        hookFailure.set(t);
                    }
                }
            });
            CountDownLatch started = new CountDownLatch(1);
            parent = rt.spawn(() -> {
                GreenHandle<Void> child = Green.spawner().link().spawn(() -> {
                    try {
                        parentEnding.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    throw late;
                });
                childRef.set(((GreenThread<?>) child).virtualThread());
                parentRef.set(GreenThread.current());
                started.countDown();
                return "returned";
            });
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(((GreenThread<?>) parent).virtualThread().join(Duration.ofSeconds(20))).isTrue();
        }
        assertThat(hookFailure.get()).isNull();
        assertThat(parentEnding.getCount()).as("the parent reached SLOT_EMPTIED").isZero();
        if (parent.state() == io.verdant.GreenState.SUCCEEDED) {
            // The kill came too late for the parent: the child's failure reached no one.
            assertThat(logged(late)).as("the child's failure is logged; records: %s",
                    records.stream().map(LogRecord::getMessage).toList()).isTrue();
        } else {
            assertThat(parent.exceptionNow()).isInstanceOf(LinkedFailureException.class).hasCause(late);
        }
    }
}
