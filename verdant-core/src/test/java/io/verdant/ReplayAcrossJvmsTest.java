package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replay key printed by a failed exploration reproduces the failure in a
 * fresh JVM: the same failure, trace hash, step count and virtual end time.
 */
@Timeout(180)
class ReplayAcrossJvmsTest {
    /** A child JVM that has not answered by then is killed and the test fails. */
    private static final long CHILD_SECONDS = 60;

    /**
     * A lost update among three threads that also sleep, draw from
     * {@link Green#random()} and pass a channel: fails on some schedules, with a
     * count that depends on the schedule.
     */
    static Integer body() {
        int[] counter = new int[1];
        Channel<Integer> done = Channel.bounded(3);
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            hs.add(Green.spawner().name("adder-" + t).spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    int v = counter[0];
                    Green.sleep(Duration.ofMillis(Green.random().nextInt(3)));
                    counter[0] = v + 1;
                }
                done.send(counter[0]);
            }));
        }
        Green.joinAll(hs);
        int last = 0;
        for (int i = 0; i < 3; i++) {
            last = Math.max(last, done.receive());
        }
        if (counter[0] != 9) {
            throw new AssertionError("lost update: " + counter[0] + " (last seen " + last + ")");
        }
        return counter[0];
    }

    /** What a failed run of {@link #body()} is known by: its failure and its trace. */
    static String describe(Throwable cause, ScheduleTrace t) {
        return cause + " | hash=0x" + Long.toHexString(t.hash()) + " steps=" + t.steps() + " virtual=" + t.virtualNanos()
                + " replayable=" + t.replayable();
    }

    @Test
    void aReplayKeyReproducesTheFailureInAFreshJvm() throws Exception {
        ScheduleFailedException failure;
        try {
            Exploration.of(ReplayAcrossJvmsTest::body).schedules(200).config(DetRuns.QUIET).run();
            throw new AssertionError("no schedule lost an update");
        } catch (ScheduleFailedException e) {
            failure = e;
        }
        String here = describe(failure.getCause(), failure.trace());
        System.out.println("replaying " + failure.replayKey() + " in a child JVM: " + here);

        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = Files.createTempFile("verdant-replay", ".txt");
        Process p = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ReplayChild.class.getName(), failure.replayKey())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean ended = p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(ended).as("child JVM ended within " + CHILD_SECONDS + " s; output:\n" + text).isTrue();
            assertThat(p.exitValue()).as("child exit; output:\n" + text).isZero();
            String replayed = text.lines().filter(l -> l.startsWith("REPLAY ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no REPLAY line in the child's output:\n" + text)).substring(7);
            assertThat(replayed).isEqualTo(here);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /** Main of the child JVM: replays the key it is given and prints the failure and trace. */
    public static final class ReplayChild {
        public static void main(String[] args) {
            try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.replay(args[0]))) {
                try {
                    rt.run(ReplayAcrossJvmsTest::body);
                    System.out.println("REPLAY passed " + describe(null, rt.trace()));
                } catch (GreenFailedException e) {
                    System.out.println("REPLAY " + describe(e.getCause(), rt.trace()));
                }
            }
        }
    }
}
