package io.verdant.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * -Dbench.only leaves entries out, and a summary must then leave out the
 * ratios whose two sides did not both run (docs/benchmarks.md) instead of
 * failing the comparison after its RESULT lines were printed.
 */
class BenchOnlySummaryTest {
    @Test
    void parkedWithOneSideLeftOutPrintsNoRatio() throws Exception {
        String text = summarized(new ParkedComparison(), Map.of("verdant", 1000.0));
        assertThat(text).doesNotContain("ratio");
    }

    @Test
    void primesWithOneSideLeftOutPrintsOnlyTheRatiosThatRan() throws Exception {
        String text = summarized(new PrimesComparison(), Map.of("verdant-1", 200.0, "verdant-2", 100.0));
        assertThat(text).contains("ratio primes verdant speed-up 2 workers vs 1 = 2.000");
        assertThat(text).doesNotContain("vt-default =").doesNotContain("verdant/forkjoin");
    }

    @Test
    void eventSpawnWithOneSideLeftOutPrintsNoRatio() throws Exception {
        String text = summarized(new EventSpawnBench(), Map.of("verdant-event", 100.0, "verdant-event-heap", 250.0));
        assertThat(text).doesNotContain("ratio").doesNotContain("pekko");
        assertThat(text).contains("verdant-event heap per idle actor 250 bytes");
    }

    @Test
    void eventMixedWithOneSideLeftOutPrintsNoRatio() throws Exception {
        String text = summarized(new EventMixedBench(), Map.of("verdant-event", 100.0,
                "verdant-event-blocking", 150.0));
        assertThat(text).contains("verdant-event 1.50").doesNotContain("pekko 1").doesNotContain("pekko NaN");
    }

    private static String summarized(Harness h, Map<String, Double> medians) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            h.summarize(new Report(), medians);
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
