package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * System.exit called from a green thread while a close that began before the
 * JVM's shutdown is still waiting for it, and a shutdown hook closes the same
 * runtime, in child JVMs (JvmExitTest.runChild): the JVM must exit.
 */
@Timeout(90)
class ExitDuringCloseTest {
    private static final int EXIT_STATUS = 7;

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "platform"})
    void systemExitFromAGreenThreadWhileACloseWaitsForItEndsTheJvm(String closer) throws Exception {
        // The cancelled thread must reach System.exit within the close's shutdown timeout, or the
        // close abandons it first and nothing exits: 1 s was within a loaded machine's delays for a
        // fresh child JVM (class loading on the way to the exit). Waited out twice (the live
        // threads, the carriers), 10 s still ends the child well within CHILD_SECONDS.
        JvmExitTest.Child child = JvmExitTest.runChild(ExitDuringCloseChild.class, closer, "PT10S");
        assertThat(child.exited()).as("child JVM ended; output:%n%s", child.output()).isTrue();
        assertThat(child.status()).as("exit status; output:%n%s", child.output()).isEqualTo(EXIT_STATUS);
        assertThat(child.output()).contains("hook closed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "platform"})
    void theCloseUnderWayDoesNotWaitItsShutdownTimeoutForTheThreadInSystemExit(String closer) throws Exception {
        // That thread ends only with the JVM, and the hook's close waits for the close under way.
        JvmExitTest.Child child = JvmExitTest.runChild(ExitDuringCloseChild.class, closer,
                JvmExitTest.LONG_SHUTDOWN_TIMEOUT.toString());
        assertThat(child.exited()).as("child JVM ended; output:%n%s", child.output()).isTrue();
        assertThat(child.status()).as("exit status; output:%n%s", child.output()).isEqualTo(EXIT_STATUS);
        Matcher m = Pattern.compile("hook closed in (\\d+) ms").matcher(child.output());
        assertThat(m.find()).as("output: %s", child.output()).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("close in the hook, ms, not the shutdown timeout's %d s",
                JvmExitTest.LONG_SHUTDOWN_TIMEOUT.toSeconds()).isLessThan(JvmExitTest.LONG_SHUTDOWN_TIMEOUT.toMillis() / 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"callback", "parkedCallback"})
    void systemExitFromAnOnCompleteCallbackWhileAHookClosesTheRuntimeEndsTheJvm(String from) throws Exception {
        JvmExitTest.Child child = JvmExitTest.runChild(ExitDuringCloseChild.class, from,
                JvmExitTest.LONG_SHUTDOWN_TIMEOUT.toString());
        assertThat(child.exited()).as("child JVM ended; output:%n%s", child.output()).isTrue();
        assertThat(child.status()).as("exit status; output:%n%s", child.output()).isEqualTo(EXIT_STATUS);
        Matcher m = Pattern.compile("hook closed in (\\d+) ms").matcher(child.output());
        assertThat(m.find()).as("output: %s", child.output()).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("close in the hook, ms, not the shutdown timeout's %d s",
                JvmExitTest.LONG_SHUTDOWN_TIMEOUT.toSeconds()).isLessThan(JvmExitTest.LONG_SHUTDOWN_TIMEOUT.toMillis() / 2);
    }

    /**
     * Main of the child JVM: a green thread calls System.exit once close (from a
     * thread of kind args[0]) has cancelled it; a shutdown hook closes the runtime;
     * args[1] is the shutdown timeout.
     */
    public static final class ExitDuringCloseChild {
        public static void main(String[] args) throws Exception {
            Verdant rt = Verdant.start(Config.builder().workers(1).shutdownTimeout(Duration.parse(args[1])).build());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long t0 = System.nanoTime();
                rt.close();
                System.out.println("hook closed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }));
            if (args[0].equals("callback") || args[0].equals("parkedCallback")) {
                // An ended thread's onComplete callback calls System.exit (after a park of its own).
                boolean parks = args[0].equals("parkedCallback");
                CountDownLatch go = new CountDownLatch(1);
                rt.spawn(() -> Green.blocking(() -> {
                    go.await();
                    return null;
                })).onComplete((v, e) -> {
                    if (parks) {
                        Green.sleep(Duration.ofMillis(10));
                    }
                    System.exit(EXIT_STATUS);
                });
                go.countDown();
                Thread.sleep(TimeUnit.SECONDS.toMillis(JvmExitTest.CHILD_SECONDS * 4)); // the exit ends the JVM before this
                System.out.println("main woke up: the JVM did not exit");
                return;
            }
            CountDownLatch waiting = new CountDownLatch(1);
            rt.spawn(() -> {
                try {
                    waiting.countDown();
                    Green.sleep(Duration.ofDays(1));
                } catch (CancelledException e) {
                    System.exit(EXIT_STATUS); // the close that cancelled it still waits for it
                }
            });
            waiting.await();
            if (args[0].equals("virtual")) {
                Thread.ofVirtual().start(rt::close);
            } else {
                Thread.ofPlatform().daemon().start(rt::close);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(JvmExitTest.CHILD_SECONDS * 4)); // the exit ends the JVM before this
            System.out.println("main woke up: the JVM did not exit");
        }
    }
}
