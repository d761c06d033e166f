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
    void actorToolkit() throws Exception {
        String out = run(() -> ActorToolkitExample.main(new String[0]));
        assertThat(out).contains("rooms: [room:dev, room:lobby]; supervised: [room:lobby RUNNING, room:dev RUNNING]")
                .contains("lobby members: 3; 10 lines said; slow kept the newest 4 of the 10 sent to it")
                .contains("dead letters from slow's full mailbox: 6")
                .contains("dev restarted under its name: true; restarts: 1; members now: []")
                .contains("after terminateChild: [room:lobby RUNNING, room:dev TERMINATED]; registered: [room:lobby]")
                .contains("scribe wrote 10 transcript lines, then saw the channel closed");
    }

    @Test
    void tourRunsEveryStop() throws Exception {
        String out = run(() -> Tour.main(new String[0]));
        assertThat(out).contains("== " + Tour.stops().size() + ". ").contains("Tour finished.");
    }
}
