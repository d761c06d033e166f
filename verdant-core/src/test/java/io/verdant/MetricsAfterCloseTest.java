package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * metrics() after close gives the final figures: workers() still lists the
 * carriers the runtime had as it closed, though they have ended (as
 * RuntimeMetrics and docs/observability.md say).
 */
@Timeout(60)
class MetricsAfterCloseTest {
    @Test
    void afterCloseWorkersListsTheEndedCarriersWithTheirFinalFigures() {
        Verdant rt = Verdant.start(Config.builder().workers(2).name("metrics-after-close").build());
        try {
            assertThat(rt.spawn(() -> 7).join(Duration.ofSeconds(20))).isEqualTo(7);
        } finally {
            rt.close();
        }
        RuntimeMetrics m = rt.metrics();
        assertThat(m.live()).isZero();
        assertThat(m.spawned()).isEqualTo(1);
        assertThat(m.exited()).isEqualTo(1);
        assertThat(m.workers()).hasSize(2).noneMatch(WorkerMetrics::spare);
        assertThat(m.workers().stream().mapToLong(WorkerMetrics::spawned).sum()
                + m.workers().stream().mapToLong(WorkerMetrics::polls).sum()).isPositive();
        Set<String> names = m.workers().stream().map(WorkerMetrics::name).collect(Collectors.toSet());
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> names.contains(t.getName()))
                .as("carrier threads still alive after close").isEmpty();
    }
}
