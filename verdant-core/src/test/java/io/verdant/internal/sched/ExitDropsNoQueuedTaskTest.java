package io.verdant.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.internal.timer.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A close during the JVM's shutdown (Scheduler.resumeOnDefault) stops the carriers
 * while a task is still queued: the task goes to Task.submittedAfterTermination, as
 * a submission after termination does, instead of being dropped with the queues. A
 * green thread's dropped copy keeps its token, so a thread in System.exit woken just
 * before the carriers stopped (another shutdown hook ended) never ran again and the
 * JVM hung (ExitDuringCloseTest's parkedCallback child). Here the only carrier is
 * held by a task that returns once submissions are dropped (terminate's
 * onTerminating), so the queued task is still queued when the carrier stops:
 * injected from outside, or in the carrier's own queue (its yielded slot).
 */
@Timeout(30)
class ExitDropsNoQueuedTaskTest {

    /** A task that runs {@code body} when dispatched and notes a hand-over after termination. */
    private static final class Probe extends Task {
        final Runnable body;
        final CountDownLatch ran = new CountDownLatch(1);
        final CountDownLatch handedOver = new CountDownLatch(1);

        Probe(Runnable body) {
            super(2);
            this.body = body;
        }

        @Override
        protected void dispatch(Worker worker) {
            body.run();
            ran.countDown();
        }

        @Override
        protected void submittedAfterTermination() {
            handedOver.countDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"injected", "carrierQueue"})
    void aTaskStillQueuedWhenTheCarriersStopDuringTheJvmShutdownIsHandedOver(String where) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Scheduler s = new Scheduler("exit-drops", 1, 0, 0, Duration.ofSeconds(10).toNanos(), 0, errors::add, Clock.SYSTEM);
        Probe queued = new Probe(() -> { });
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Probe holder = new Probe(() -> {
            if (where.equals("carrierQueue")) {
                s.submit(queued, false); // from the carrier: its own queue
            }
            holding.countDown();
            io.verdant.internal.Waits.uninterruptibly(release::await);
        });
        s.start();
        try {
            s.submit(holder, false);
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            if (where.equals("injected")) {
                s.submit(queued, false); // from outside: the injection queue
            }
            s.resumeOnDefaultAfterTermination(); // as a close in a shutdown hook does
            int stuck = s.terminate(TimeUnit.SECONDS.toNanos(10), release::countDown);
            assertThat(stuck).isZero();
            assertThat(queued.ran.getCount()).as("run by the stopping carrier").isEqualTo(1);
            assertThat(queued.handedOver.getCount()).as("handed over after termination").isZero();
            assertThat(errors).isEmpty();
        } finally {
            release.countDown();
            s.terminate(TimeUnit.SECONDS.toNanos(10), () -> { });
        }
    }

    /**
     * The same for foreign work (the continuation of a virtual thread started inside a
     * green thread, whose scheduler stays this one): the JDK's default scheduler runs it,
     * as it runs a foreign submission made after termination (Scheduler.submitForeign).
     */
    @ParameterizedTest
    @ValueSource(strings = {"injected", "carrierQueue"})
    void foreignWorkStillQueuedWhenTheCarriersStopDuringTheJvmShutdownRunsOnTheDefaultScheduler(String where)
            throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Scheduler s = new Scheduler("exit-drops-foreign", 1, 0, 0, Duration.ofSeconds(10).toNanos(), 0, errors::add, Clock.SYSTEM);
        CountDownLatch ran = new CountDownLatch(1);
        Thread[] ranOn = new Thread[1];
        Runnable foreign = () -> {
            ranOn[0] = Thread.currentThread();
            ran.countDown();
        };
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Probe holder = new Probe(() -> {
            if (where.equals("carrierQueue")) {
                s.submitForeign(foreign, 2); // from the carrier: its own queue
            }
            holding.countDown();
            io.verdant.internal.Waits.uninterruptibly(release::await);
        });
        s.start();
        try {
            s.submit(holder, false);
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            if (where.equals("injected")) {
                s.submitForeign(foreign, 2); // from outside: the injection queue
            }
            s.resumeOnDefaultAfterTermination(); // as a close in a shutdown hook does
            assertThat(s.terminate(TimeUnit.SECONDS.toNanos(10), release::countDown)).isZero();
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("foreign work run after the carriers stopped").isTrue();
            assertThat(ranOn[0]).isNotInstanceOf(Worker.class);
            assertThat(errors).isEmpty();
        } finally {
            release.countDown();
            s.terminate(TimeUnit.SECONDS.toNanos(10), () -> { });
        }
    }
}
