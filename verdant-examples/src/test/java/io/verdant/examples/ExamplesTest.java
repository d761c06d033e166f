package io.verdant.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

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

    /** Like {@link #run} without the echo (for an example run many times). */
    private static String runQuietly(Tour.ThrowingRunnable body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void chatRoomDropsEveryEndedMemberBeforeClosing() throws Exception {
        // The quitter may have ended before the room handles its Join: monitor then
        // queues its Down behind Close, and the room closed with it still a member
        // (about 1 run in 70). Repeated, bounded in count and time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 300 && System.nanoTime() < deadline; i++) {
            String out = runQuietly(() -> ChatRoomExample.main(new String[0]));
            assertThat(out).as("run " + i).contains("members left: 0")
                    .contains("the room delivered 36 lines; members received 36");
        }
    }

    @Test
    void basic() throws Exception {
        assertThat(run(() -> BasicExample.main(new String[0]))).contains("= 49999995000000");
    }

    @Test
    void priorities() throws Exception {
        String out = run(() -> PrioritiesExample.main(new String[0]));
        assertThat(out).contains("they ran in the order CRITICAL, HIGH, NORMAL, LOW");
        // The LOW thread finishes whatever happens (the HIGH threads give up after
        // 10,000,000 turns each), so the line alone proves nothing: the anti-starvation
        // rule is what keeps the HIGH turns per LOW step near 16.
        Matcher m = Pattern.compile("the LOW thread still finished its 100 steps \\(HIGH took ([\\d,]+) turns")
                .matcher(out);
        assertThat(m.find()).as("the anti-starvation line").isTrue();
        assertThat(Long.parseLong(m.group(1).replace(",", ""))).as("HIGH turns during the LOW thread's 100 steps")
                .isLessThan(100 * 100L);
    }

    /**
     * Copied into every thread created while it is set, slowly: it spins for its value,
     * in nanoseconds, per spawn, as a cold JVM or a loaded machine makes spawning slow.
     */
    private static final InheritableThreadLocal<Long> SLOW_SPAWN = new InheritableThreadLocal<>() {
        @Override
        protected Long childValue(Long spinNanos) {
            long end = System.nanoTime() + spinNanos;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return spinNanos;
        }
    };

    @Test
    void prioritiesRunBestFirstEvenWhenSpawningIsSlow() throws Exception {
        // A NORMAL spawner was asked to yield (its slice over, or the HIGH thread it had
        // spawned outranked it) and yielded at its next spawn, a safepoint: the threads
        // already spawned ran first ("HIGH, NORMAL, CRITICAL, LOW" in 1 tour of 16 on a
        // loaded machine; every run here).
        SLOW_SPAWN.set(12_000_000L); // longer than a 10 ms time slice
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(runQuietly(() -> PrioritiesExample.main(new String[0]))).as("run " + i)
                        .contains("they ran in the order CRITICAL, HIGH, NORMAL, LOW");
            }
        } finally {
            SLOW_SPAWN.remove();
        }
    }

    @Test
    void supervisedPoolReportsEveryRestart() throws Exception {
        // The pool printed the supervisor's restart count as soon as the last job was
        // done, while the supervisor could still be restarting the last crashed workers:
        // "14 workers crashed ...; restarted them 12 times" (every run here, where a
        // restart takes 5 ms).
        SLOW_SPAWN.set(5_000_000L);
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(runQuietly(() -> SupervisedPoolExample.main(new String[0]))).as("run " + i)
                        .contains("processed 100 jobs with 4 supervised workers: sum of squares = 328350")
                        .contains("14 workers crashed on a job; the supervisor restarted them 14 times");
            }
        } finally {
            SLOW_SPAWN.remove();
        }
    }

    @Test
    void stackOverflowIsSeenByItsJoinAndNotLoggedAsUnobserved() throws Exception {
        // The recurser could overflow before its spawner reached join (here spawning the
        // other 10 threads takes 120 ms): a failure that nobody joined when it happened is
        // also logged, a WARNING with 1,024 frames of stack in the middle of the tour.
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler collect = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger failures = Logger.getLogger("io.verdant.failures");
        failures.addHandler(collect);
        SLOW_SPAWN.set(12_000_000L);
        try {
            for (int i = 0; i < 2; i++) {
                assertThat(runQuietly(() -> StackOverflowExample.main(new String[0]))).as("run " + i)
                        .contains("'recurser' failed with StackOverflowError")
                        .contains("sum of squares 0..9 = 285");
            }
        } finally {
            SLOW_SPAWN.remove();
            failures.removeHandler(collect);
        }
        assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
    }

    @Test
    void observability() throws Exception {
        String out = run(() -> ObservabilityExample.main(new String[0]));
        assertThat(out).containsPattern("metrics: \\d+ spawned")
                .containsPattern("snapshot: <[0-9.]+> 'teller' WAITING Mutex.lock #\\d+ held by <[0-9.]+> 'auditor', slices run: [1-9]\\d*")
                .contains("supervisor 'app'").contains("'db'").contains("JSON dump with stacks written to")
                .containsPattern("trace: \\d+ events \\(\\d+ dropped\\) written to ");
    }

    @Test
    void bankTransfer() throws Exception {
        String out = run(() -> BankTransferExample.main(new String[0]));
        assertThat(out).containsPattern("check-then-debit: alice overdrawn: balances -20 and 120 -- replay v1:random:0x[0-9A-F]+")
                .containsPattern("replayed v1:random:0x[0-9A-F]+: alice overdrawn: balances -20 and 120 again")
                .contains("try-debit: 20 of 20 schedules passed");
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
                .contains("scribe wrote 10 transcript lines (on a green thread: true), then saw the channel closed");
    }

    @Test
    void eventActors() throws Exception {
        String out = run(() -> EventActorsExample.main(new String[0]));
        assertThat(out).contains("event actor: withdrew 250 once deposits covered it; balance after: 30")
                .contains("event actor: the balance query stashed behind it answered: 30")
                .contains("the account answered while the auditor's handler slept: true")
                .contains("auditor says books checked")
                .contains("event actor: final balance 30");
    }

    @Test
    void tourRunsEveryStop() throws Exception {
        String out = run(() -> Tour.main(new String[0]));
        int n = Tour.stops().size();
        assertThat(out).contains("== " + n + ". ").contains("Tour finished in ");
        for (int i = 1; i <= n; i++) {
            assertThat(out).as("elapsed-time line of stop " + i).containsPattern("(?m)^-- " + i + "\\. done in \\d");
        }
        // The tour reads in order: a stall report (a WARNING with a stack, written by
        // another thread) is printed inside the stop that caused it, between its heading
        // and its end line; the preemption stop always causes one.
        int[] begin = new int[n + 1];
        int[] end = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            begin[i] = out.indexOf("== " + i + ". ");
            end[i] = out.indexOf("-- " + i + ". done in ");
        }
        for (int at = out.indexOf("has held carrier"); at >= 0; at = out.indexOf("has held carrier", at + 1)) {
            int where = at;
            assertThat(IntStream.rangeClosed(1, n).anyMatch(i -> begin[i] < where && where < end[i]))
                    .as("stall report at %d lies inside one stop", at).isTrue();
        }
        List<String> titles = Tour.stops().stream().map(Tour.Stop::title).toList();
        int preemption = 1 + IntStream.range(0, n).filter(k -> titles.get(k).startsWith("Preemption")).findFirst().orElseThrow();
        int report = out.indexOf("has held carrier", begin[preemption]);
        assertThat(report).as("the preemption stop's stall report").isBetween(begin[preemption], end[preemption]);
    }
}
