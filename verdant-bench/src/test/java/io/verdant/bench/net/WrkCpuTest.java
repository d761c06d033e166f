package io.verdant.bench.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The http comparison's reading of wrk's own CPU time (HttpComparison.withChildCpu). */
class WrkCpuTest {
    @Test
    void theTicksLineGivesUserPlusSystemTimeInNanoseconds() {
        String out = "Requests/sec: 1000.00\nwrk-cpu-ticks 123 45\n";
        assertThat(HttpComparison.childCpuNanos(out, 100)).isEqualTo(1.68e9);
        assertThat(HttpComparison.childCpuNanos("Requests/sec: 1000.00\n", 100)).isEqualTo(-1);
        assertThat(HttpComparison.childCpuNanos(out, 0)).isEqualTo(-1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theWrapperReportsTheChildsCpuAndKeepsItsOutputAndStatus() throws Exception {
        long ticks = HttpComparison.clockTicks();
        assumeThat(ticks).as("needs Linux's /proc, sh and getconf").isPositive();
        // A child that burns about half a second of CPU, prints a line and fails with 3.
        List<String> busy = List.of("sh", "-c",
                "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done $i; exit 3");
        Process p = new ProcessBuilder(HttpComparison.withChildCpu(busy)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(out).contains("done 300000");
        double cpu = HttpComparison.childCpuNanos(out, ticks);
        assertThat(cpu).as(out).isGreaterThanOrEqualTo(1e9 / ticks); // at least one tick of the loop
    }
}
