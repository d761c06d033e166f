package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An interrupted caller of {@code Supervisor.Builder.start}: the supervisor and
 * its children are started either way, so the start returns the supervisor (the
 * caller can shut it down) with the interrupt status kept. Before, it threw
 * CancelledException and left the supervisor running, out of the caller's reach.
 */
@Timeout(30)
class SupervisorStartInterruptTest {
    private static Callable<Object> child(CountDownLatch running) {
        return () -> {
            running.countDown();
            return Green.receive(); // until stopped
        };
    }

    @Test
    void interruptedPlatformCallerGetsTheRunningSupervisor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sup-int").build())) {
            CountDownLatch running = new CountDownLatch(1);
            Supervisor.Builder b = Supervisor.builder().child(Supervisor.ChildSpec.of("c", child(running)));
            Thread.currentThread().interrupt();
            Supervisor s;
            boolean stillInterrupted;
            try {
                s = b.start(rt);
            } finally {
                stillInterrupted = Thread.interrupted();
            }
            assertThat(stillInterrupted).as("the interrupt status is kept").isTrue();
            assertThat(s.children()).extracting(Supervisor.Child::name).containsExactly("c");
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            s.shutdown();
            assertThat(s.handle().isDone()).isTrue();
        }
    }

    @Test
    void interruptedGreenCallerGetsTheRunningSupervisor() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sup-int-green").build())) {
            CountDownLatch running = new CountDownLatch(1);
            boolean[] interrupted = new boolean[1];
            Supervisor s = rt.run(() -> {
                Supervisor.Builder b = Supervisor.builder().child(Supervisor.ChildSpec.of("c", child(running)));
                Thread.currentThread().interrupt();
                try {
                    return b.start();
                } finally {
                    interrupted[0] = Thread.interrupted();
                }
            });
            assertThat(interrupted[0]).as("the interrupt status is kept").isTrue();
            assertThat(s.children()).extracting(Supervisor.Child::name).containsExactly("c");
            s.shutdown();
            assertThat(s.handle().isDone()).isTrue();
        }
    }
}
