package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whoever sees a restarted child sees the restart counted: each incarnation of a
 * failing child reads its supervisor's restartCount() and the runtime's
 * supervisorRestarts as it starts. For a while the count followed the children's
 * start (so that a start that threw was not counted), and a child started on the
 * other carrier read the count before the supervisor made it
 * (ExamplesTest.actorToolkit printed "restarts: 0" after seeing the restart in CI).
 */
@Timeout(60)
class SupervisorRestartCountVisibleTest {

    @Test
    void aRestartedChildSeesItsRestartCounted() throws Exception {
        int restarts = 40;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("restart-count").build())) {
            AtomicReference<Supervisor> sup = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(1);
            List<long[]> seen = new CopyOnWriteArrayList<>();
            CountDownLatch last = new CountDownLatch(1);
            Supervisor s = Supervisor.builder().name("counting-sup").intensity(restarts + 5, Duration.ofMinutes(1))
                    .child(Supervisor.ChildSpec.of("crasher", () -> {
                        ready.await();
                        Supervisor me = sup.get();
                        seen.add(new long[] {me.restartCount(), rt.metrics().supervisorRestarts()});
                        if (seen.size() > restarts) {
                            last.countDown();
                            Green.sleep(Duration.ofDays(1));
                        }
                        throw new IllegalStateException("crash " + seen.size());
                    }))
                    .start(rt);
            sup.set(s);
            ready.countDown();
            assertThat(last.await(30, TimeUnit.SECONDS)).as("every incarnation ran").isTrue();
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).as("what incarnation %d saw (restartCount, supervisorRestarts)", i)
                        .containsExactly(i, i);
            }
        }
    }
}
