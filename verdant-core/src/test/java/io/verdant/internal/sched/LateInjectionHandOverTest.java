package io.verdant.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.internal.timer.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A submitter from outside the carriers (a platform thread's unpark, a timer) that read
 * the scheduler as not terminating and injects only after a close during the JVM's
 * shutdown has handed the queued tasks over (Scheduler.handOverQueued) must not lose its
 * task: it goes to Task.submittedAfterTermination as the queued ones did. The submitter
 * is held at Faults.OUTSIDE_INJECTING (between submit's check and the inject) for the
 * whole close; the hook is JVM-global, so it holds only the test's submitter thread.
 */
@Timeout(60)
class LateInjectionHandOverTest {

    private static final String SUBMITTER = "late-injection-submitter";

    /** A task that notes a dispatch and a hand-over after termination. */
    private static final class Probe extends Task {
        final CountDownLatch ran = new CountDownLatch(1);
        final CountDownLatch handedOver = new CountDownLatch(1);

        Probe() {
            super(2);
        }

        @Override
        protected void dispatch(Worker worker) {
            ran.countDown();
        }

        @Override
        protected void submittedAfterTermination() {
            handedOver.countDown();
        }
    }

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    @Test
    void aTaskInjectedAfterTheHandOverOfAJvmExitCloseIsHandedOverToo() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Scheduler s = new Scheduler("late-inject", 1, 0, 0, Duration.ofSeconds(10).toNanos(), 0, errors::add, Clock.SYSTEM);
        CountDownLatch atInject = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Faults.install((w, site) -> {
            if (site == Faults.Site.OUTSIDE_INJECTING && Thread.currentThread().getName().equals(SUBMITTER)) {
                atInject.countDown();
                io.verdant.internal.Waits.uninterruptibly(closed::await);
            }
        });
        Probe late = new Probe();
        Thread submitter = new Thread(() -> s.submit(late, false), SUBMITTER);
        s.start();
        try {
            submitter.start();
            assertThat(atInject.await(20, TimeUnit.SECONDS)).as("submitter past its check of terminating").isTrue();
            s.resumeOnDefaultAfterTermination(); // as a close in a shutdown hook does
            assertThat(s.terminate(TimeUnit.SECONDS.toNanos(20), () -> { })).isZero();
            closed.countDown(); // the submitter injects now, the hand-over done
            submitter.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(submitter.isAlive()).as("submitter returned").isFalse();
            assertThat(late.handedOver.await(20, TimeUnit.SECONDS)).as("late task handed over after termination").isTrue();
            assertThat(late.ran.getCount()).as("run by a stopped carrier").isEqualTo(1);
            assertThat(errors).isEmpty();
        } finally {
            closed.countDown();
            s.terminate(TimeUnit.SECONDS.toNanos(10), () -> { });
        }
    }

    /** The same for foreign work (Scheduler.submitForeign): the JDK's default scheduler runs it. */
    @Test
    void foreignWorkInjectedAfterTheHandOverOfAJvmExitCloseRunsOnTheDefaultScheduler() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Scheduler s = new Scheduler("late-inject-foreign", 1, 0, 0, Duration.ofSeconds(10).toNanos(), 0, errors::add, Clock.SYSTEM);
        CountDownLatch atInject = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Faults.install((w, site) -> {
            if (site == Faults.Site.OUTSIDE_INJECTING && Thread.currentThread().getName().equals(SUBMITTER)) {
                atInject.countDown();
                io.verdant.internal.Waits.uninterruptibly(closed::await);
            }
        });
        CountDownLatch ran = new CountDownLatch(1);
        Thread[] ranOn = new Thread[1];
        Thread submitter = new Thread(() -> s.submitForeign(() -> {
            ranOn[0] = Thread.currentThread();
            ran.countDown();
        }, 2), SUBMITTER);
        s.start();
        try {
            submitter.start();
            assertThat(atInject.await(20, TimeUnit.SECONDS)).as("submitter past its check of terminating").isTrue();
            s.resumeOnDefaultAfterTermination();
            assertThat(s.terminate(TimeUnit.SECONDS.toNanos(20), () -> { })).isZero();
            closed.countDown();
            submitter.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(submitter.isAlive()).as("submitter returned").isFalse();
            assertThat(ran.await(20, TimeUnit.SECONDS)).as("late foreign work run after termination").isTrue();
            assertThat(ranOn[0]).isNotInstanceOf(Worker.class);
            assertThat(errors).isEmpty();
        } finally {
            closed.countDown();
            s.terminate(TimeUnit.SECONDS.toNanos(10), () -> { });
        }
    }
}
