package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JVM's own exit with a runtime open, in child JVMs: System.exit from
 * inside the runtime while a shutdown hook closes it must end the JVM (it used
 * to hang for ever: the exiting thread, waiting in System.exit for the hooks,
 * was abandoned by close and never ran again, holding the JVM's exit lock).
 */
@Timeout(90)
class JvmExitTest {
    /**
     * A child that exits correctly takes about a second (up to 9.4 s seen on a loaded
     * machine); a hung one is killed after this. Above every shutdown timeout the
     * children use, so that a close waiting one out still ends and shows its time.
     */
    static final long CHILD_SECONDS = 60;
    /**
     * The shutdown timeout of the children whose hook must not wait it out: a close
     * that waited for the thread in System.exit took all of it, one that did not takes
     * a small part of it however loaded the machine is.
     */
    static final Duration LONG_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final int EXIT_STATUS = 7;

    @ParameterizedTest
    @ValueSource(strings = {"green", "actor", "failureHandler"})
    void systemExitFromInsideTheRuntimeWhileAHookClosesItEndsTheJvm(String from) throws Exception {
        Child child = runChild(ExitChild.class, from, "PT0.5S");
        assertThat(child.exited).as("child JVM ended within %d s; output:%n%s", CHILD_SECONDS, child.output).isTrue();
        assertThat(child.status).as("exit status; output:%n%s", child.output).isEqualTo(EXIT_STATUS);
        assertThat(child.output).contains("hook closed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"green", "actor", "logWriter"})
    void aHookClosingTheRuntimeDoesNotWaitTheShutdownTimeoutForTheThreadInSystemExit(String from) throws Exception {
        // That thread ends only with the JVM: waiting the shutdown timeout for it only delays the exit.
        Child child = runChild(ExitChild.class, from, LONG_SHUTDOWN_TIMEOUT.toString());
        assertThat(child.exited).as("child JVM ended within %d s; output:%n%s", CHILD_SECONDS, child.output).isTrue();
        assertThat(child.status).as("exit status; output:%n%s", child.output).isEqualTo(EXIT_STATUS);
        Matcher m = Pattern.compile("hook closed in (\\d+) ms").matcher(child.output);
        assertThat(m.find()).as("output: %s", child.output).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("close in the hook, ms, not the shutdown timeout's %d s",
                LONG_SHUTDOWN_TIMEOUT.toSeconds()).isLessThan(LONG_SHUTDOWN_TIMEOUT.toMillis() / 2);
    }

    record Child(boolean exited, int status, long millis, String output) {
    }

    /** Runs {@code main}'s class in a fresh JVM; kills it if it has not ended within CHILD_SECONDS. */
    static Child runChild(Class<?> main, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("verdant-jvmexit", ".txt");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean exited = p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (!exited) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            return new Child(exited, exited ? p.exitValue() : -1, millis, text);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /**
     * Main of the child JVM: a shutdown hook closes the runtime, and System.exit
     * is called from args[0] (a green thread, an event-actor handler, the
     * failureHandler, a logging backend on Verdant's log writer); args[1] is the shutdown timeout.
     */
    public static final class ExitChild {
        public static void main(String[] args) throws Exception {
            String from = args[0];
            Config.Builder config = Config.builder().workers(1).shutdownTimeout(Duration.parse(args[1]));
            if (from.equals("failureHandler")) {
                config.failureHandler((handle, failure) -> System.exit(EXIT_STATUS));
            }
            Verdant rt = Verdant.start(config.build());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long t0 = System.nanoTime();
                rt.close();
                System.out.println("hook closed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }));
            switch (from) {
                case "green" -> rt.spawn(() -> System.exit(EXIT_STATUS));
                case "actor" -> {
                    GreenHandle<Object> actor = Actors.spawner(rt).spawn(null, (state, msg) -> {
                        System.exit(EXIT_STATUS);
                        return state;
                    });
                    rt.spawn(() -> Green.send(actor.pid(), "exit"));
                }
                case "failureHandler" -> rt.spawn(() -> {
                    throw new IllegalStateException("fails on purpose");
                });
                case "logWriter" -> {
                    // A logging backend that exits, on Verdant's log writer: an unobserved failure's record.
                    java.util.logging.Logger.getLogger("").addHandler(new java.util.logging.Handler() {
                        @Override
                        public void publish(java.util.logging.LogRecord record) {
                            System.exit(EXIT_STATUS);
                        }

                        @Override
                        public void flush() {
                        }

                        @Override
                        public void close() {
                        }
                    });
                    rt.spawn(() -> {
                        throw new IllegalStateException("fails on purpose, unobserved");
                    });
                }
                default -> throw new IllegalArgumentException(from);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(CHILD_SECONDS * 4)); // the exit ends the JVM before this
            System.out.println("main woke up: the JVM did not exit");
        }
    }
}
