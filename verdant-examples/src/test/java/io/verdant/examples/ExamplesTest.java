package io.verdant.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every example's main (CI runs the examples) and checks what each prints.
 * Each runs in this JVM; System.out is captured and echoed.
 */
@Isolated
@Timeout(120)
class ExamplesTest {

    /** Runs {@code body} with System.out captured; returns what it printed. */
    private static String run(Tour.ThrowingRunnable body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }

    @Test
    void basic() throws Exception {
        assertThat(run(() -> BasicExample.main(new String[0]))).contains("= 49999995000000");
    }

    @Test
    void priorities() throws Exception {
        String out = run(() -> PrioritiesExample.main(new String[0]));
        assertThat(out).contains("they ran in the order CRITICAL, HIGH, NORMAL, LOW")
                .contains("the LOW thread still finished its 100 steps");
    }

    @Test
    void observability() throws Exception {
        String out = run(() -> ObservabilityExample.main(new String[0]));
        assertThat(out).containsPattern("metrics: \\d+ spawned")
                .containsPattern("snapshot: <[0-9.]+> 'teller' WAITING Mutex.lock #\\d+ held by <[0-9.]+> 'auditor'")
                .contains("supervisor 'app'").contains("'db'").contains("JSON dump with stacks written to");
    }

    @Test
    void stressWithSmallerN() throws Exception {
        assertThat(run(() -> StressExample.main(new String[] {"20000"})))
                .contains("20,000 green threads spawned").contains("(correct)");
    }

    @Test
    void stackOverflow() throws Exception {
        String out = run(() -> StackOverflowExample.main(new String[0]));
        assertThat(out).contains("'recurser' failed with StackOverflowError")
                .contains("sum of squares 0..9 = 285")
                .contains("a green thread spawned afterwards: still running");
    }

    @Test
    void tourRunsEveryStop() throws Exception {
        String out = run(() -> Tour.main(new String[0]));
        assertThat(out).contains("== " + Tour.stops().size() + ". ").contains("Tour finished.");
    }
}
