package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event-actor dispatchers are green threads of the runtime: once every user
 * thread and actor has ended, the idle dispatchers left (at least one, at most
 * one per worker, and one more while it retires) are what liveThreads(), metrics().live() and the snapshot
 * still show, each named {@code verdant-dispatcher} (see docs/observability.md).
 */
@Timeout(60)
class DispatcherCountsTest {
    @Test
    void afterEveryActorEndedOnlyIdleDispatchersStayLiveAndNamedSo() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dispatcher-counts").build())) {
            GreenHandle<Integer> counter = Actors.spawner(rt).name("counter").spawn(0, (Integer n, Object msg) -> {
                if (msg.equals("stop")) {
                    Actors.stop();
                }
                return n + 1;
            });
            rt.send(counter.pid(), "tick");
            rt.send(counter.pid(), "stop");
            assertThat(counter.join(Duration.ofSeconds(20))).isEqualTo(2);
            RuntimeMetrics m = rt.metrics();
            assertThat(rt.liveThreads()).isBetween(1L, 3L);
            assertThat(m.live()).isBetween(1L, 3L);
            assertThat(m.spawned()).isGreaterThanOrEqualTo(2); // the actor and its dispatcher(s)
            assertThat(rt.snapshot().threads()).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.name()).isEqualTo("verdant-dispatcher"));
        }
    }
}
