package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rt.startSupervisor} from a platform thread waits for the supervisor's
 * first children; if the runtime closes and abandons the supervisor thread
 * before it ever ran (its only carrier held, with time slices off, by a thread
 * that ignores cancellation), the start returns as it does for a supervisor
 * cancelled before its children started: its handle reports how it ended.
 * Before, the caller waited for ever.
 */
@Timeout(60)
class SupervisorStartDuringCloseTest {

    @Test
    void aStartWhoseSupervisorIsAbandonedBeforeItRanReturns() throws Exception {
        String name = "supervisor-start-close";
        AtomicBoolean stop = new AtomicBoolean();
        Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).timeslice(Duration.ZERO)
                .name(name).shutdownTimeout(Duration.ofMillis(200)).build());
        Thread starter = null;
        try {
            CountDownLatch running = new CountDownLatch(1);
            rt.spawn(() -> {
                running.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // bounded
                while (!stop.get() && System.nanoTime() - end < 0) {
                    Thread.interrupted(); // ignores cancellation
                    Green.checkpoint();   // no time slices: never yields to the supervisor
                }
                return null;
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Object> outcome = new AtomicReference<>();
            starter = new Thread(() -> {
                try {
                    outcome.set(rt.startSupervisor(Supervisor.builder().name("sup")
                            .child(Supervisor.ChildSpec.of("child", () -> Green.sleep(Duration.ofHours(1))))));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, name + "-starter");
            starter.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rt.liveThreads() < 2 && System.nanoTime() - deadline < 0) {
                Thread.sleep(1); // until the supervisor thread is spawned (it cannot run)
            }
            assertThat(rt.liveThreads()).isEqualTo(2);
            rt.close();
            starter.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(starter.isAlive()).as("startSupervisor returned").isFalse();
            assertThat(outcome.get()).isInstanceOf(Supervisor.class);
            Supervisor s = (Supervisor) outcome.get();
            assertThat(s.handle().isDone()).isTrue();
            assertThat(s.handle().exceptionNow()).isInstanceOf(CancelledException.class);
        } finally {
            stop.set(true);
            rt.close();
            if (starter != null) {
                starter.interrupt(); // a start still waiting: interruptible
                starter.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
