package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seed copied from a CI log replays on another machine: the schedule of a
 * deterministic runtime depends on nothing of the JVM it runs in (its core
 * count, identity hashes) nor on {@code Config.workers()}, which deterministic
 * mode ignores. The workload has threads sleeping to one deadline, equal
 * {@code sendAfter} delays, monitors and a trapped link of a failing thread, a
 * mutex, a one-for-all supervisor restart, event actors and selective receive;
 * a second one tells the actors of a {@code HashSet} of {@link Ref}s.
 */
@Timeout(120)
@org.junit.jupiter.api.extension.ExtendWith(DetRuns.QuietRestartLog.class)
class ReplayAcrossMachinesTest {
    /** A child JVM that has not answered by then is killed and the test fails. */
    private static final long CHILD_SECONDS = 60;
    private static final int SEEDS = 4;

    static List<Object> body() {
        List<Object> log = new ArrayList<>();
        Channel<String> woke = Channel.unbounded();
        List<GreenHandle<?>> hs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i;
            hs.add(Green.spawner().name("sleeper-" + i).spawn(() -> {
                Green.sleep(Duration.ofMillis(5));
                woke.send("s" + id);
            }));
        }
        for (int i = 0; i < 3; i++) {
            Green.sendAfter(Green.self(), "tick" + i, Duration.ofMillis(5));
        }
        GreenHandle<Void> target = Green.spawner().name("target").spawn(() -> {
            Green.receive(String.class);
            throw new IllegalStateException("boom (expected by the test)");
        });
        for (int i = 0; i < 2; i++) {
            int id = i;
            hs.add(Green.spawner().name("watcher-" + i).spawn(() -> {
                Green.monitor(target.pid());
                Green.receive(Signal.class);
                woke.send("w" + id);
            }));
        }
        hs.add(Green.spawner().name("linker").spawn(() -> {
            Green.trapExits(true);
            Green.link(target.pid());
            woke.send("l:" + Green.receive(Signal.class).getClass().getSimpleName());
        }));
        Green.send(target.pid(), 1); // skipped by the selective receive
        Green.send(target.pid(), "go");
        Mutex<int[]> mx = new Mutex<>(new int[1]);
        for (int i = 0; i < 2; i++) {
            int id = i;
            hs.add(Green.spawn(() -> {
                for (int k = 0; k < 2; k++) {
                    try (Mutex.Guard<int[]> g = mx.lock(Duration.ofSeconds(1))) {
                        g.get()[0] = g.get()[0] * 3 + id;
                        Green.yield();
                    }
                }
            }));
        }
        AtomicInteger starts = new AtomicInteger();
        List<String> supLog = Collections.synchronizedList(new ArrayList<>());
        Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.ONE_FOR_ALL)
                .intensity(5, Duration.ofSeconds(10))
                .child(Supervisor.ChildSpec.of("a", () -> {
                    supLog.add("a" + starts.incrementAndGet());
                    if ("crash".equals(Green.receive())) {
                        throw new IllegalStateException("crash (expected by the test)");
                    }
                    return null;
                }))
                .child(Supervisor.ChildSpec.of("b", () -> {
                    supLog.add("b" + starts.incrementAndGet());
                    Green.receive();
                    return null;
                }))
                .start();
        Green.send(sup.child("a").orElseThrow(), "crash");
        List<String> evLog = new ArrayList<>();
        List<GreenHandle<Integer>> actors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i;
            actors.add(Actors.spawn(0, (Integer n, Object m) -> {
                if (m.equals("stop")) {
                    Actors.stop();
                    return n;
                }
                evLog.add(id + ":" + m);
                return n + 1;
            }));
        }
        for (int k = 0; k < 2; k++) {
            for (GreenHandle<Integer> a : actors) {
                Green.send(a.pid(), "m" + k);
            }
        }
        for (GreenHandle<Integer> a : actors) {
            Green.send(a.pid(), "stop");
        }
        Green.joinAll(hs);
        for (GreenHandle<Integer> a : actors) {
            a.join();
        }
        for (int i = 0; i < 3; i++) {
            log.add(Green.receive(String.class));
        }
        for (int i = 0; i < 6; i++) {
            log.add(woke.receive());
        }
        while (sup.restartCount() < 1) {
            Green.sleep(Duration.ofMillis(1));
        }
        sup.shutdown();
        log.add(supLog);
        log.add(evLog);
        log.add("mx=" + mx.tryLock().orElseThrow().get()[0]);
        log.add("t=" + Green.nanoTime());
        return log;
    }

    /** One line per seed: the trace and the body's result. */
    static String runSeeds(Config config) {
        StringBuilder sb = new StringBuilder();
        for (long seed = 0; seed < SEEDS; seed++) {
            try (Verdant rt = Verdant.deterministic(config, Determinism.seed(seed))) {
                List<Object> result = rt.run(ReplayAcrossMachinesTest::body);
                ScheduleTrace t = rt.trace();
                sb.append("seed=").append(seed).append(" hash=0x").append(Long.toHexString(t.hash())).append(" steps=")
                        .append(t.steps()).append(" virtual=").append(t.virtualNanos()).append(' ').append(result)
                        .append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void theScheduleDoesNotDependOnConfigWorkers() {
        String one = runSeeds(Config.builder().workers(1).failureHandler((h, t) -> { }).build());
        String four = runSeeds(Config.builder().workers(4).failureHandler((h, t) -> { }).build());
        assertThat(four).isEqualTo(one);
    }

    @Test
    void aSeedReplaysInFreshJvmsWithOtherCoreCountsAndIdentityHashes() throws Exception {
        String here = runSeeds(DetRuns.QUIET);
        List<String> jvmFlags = List.of("-XX:ActiveProcessorCount=1", "-XX:ActiveProcessorCount=3",
                "-XX:+UnlockExperimentalVMOptions -XX:hashCode=2");
        for (String flags : jvmFlags) {
            assertThat(child(flags)).as("a child JVM with " + flags).isEqualTo(here);
        }
    }

    @Test
    void aSeedReplaysWithMetricsOffAssertionsOnOrOffAndJmxOn() throws Exception {
        String here = runSeeds(DetRuns.QUIET);
        for (String flags : List.of("-Dverdant.metrics=false -da", "-ea -Dverdant.jmx=true")) {
            assertThat(child(flags)).as("a child JVM with " + flags).isEqualTo(here);
        }
    }

    /** A subscriber's message type: a class of the test, whose identity hash is made at run time. */
    record Note(String text) {
    }

    /**
     * Six subscribers in a {@code HashSet} of {@link Ref}s, told in the set's
     * order: the order they are told in, and so the schedule, follows the refs'
     * hash codes.
     */
    static String broadcastToASetOfRefs() {
        StringBuilder sb = new StringBuilder();
        for (long seed = 0; seed < 2; seed++) {
            try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(seed))) {
                String order = rt.run(() -> {
                    java.util.Set<Ref<Note>> subscribers = new java.util.HashSet<>();
                    List<GreenHandle<String>> hs = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        int id = i;
                        GreenHandle<String> h = Green.spawn(() -> Green.receive(Note.class).text() + id);
                        hs.add(h);
                        subscribers.add(Ref.of(h.pid(), Note.class));
                    }
                    StringBuilder told = new StringBuilder();
                    for (Ref<Note> r : subscribers) {
                        told.append(hs.stream().map(GreenHandle::pid).toList().indexOf(r.pid())); // not r.pid(): it names the runtime
                        r.send(new Note("n"));
                    }
                    Green.joinAll(hs);
                    return told.toString();
                });
                ScheduleTrace t = rt.trace();
                sb.append("seed=").append(seed).append(" hash=0x").append(Long.toHexString(t.hash())).append(" steps=")
                        .append(t.steps()).append(" told ").append(order).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void aSetOfRefsIteratesInTheSameOrderInEveryJvm() throws Exception {
        String here = broadcastToASetOfRefs();
        for (String flags : List.of("-XX:+UnlockExperimentalVMOptions -XX:hashCode=2",
                "-XX:+UnlockExperimentalVMOptions -XX:hashCode=3")) {
            assertThat(child(flags + " -Dverdant.test.mode=refs")).as("a child JVM with " + flags).isEqualTo(here);
        }
    }

    /** Runs {@link Child} in a fresh JVM with {@code flags}; returns its lines. */
    private static String child(String flags) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()));
        Path out = Files.createTempFile("verdant-replay-machines", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean ended = p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(ended).as("child JVM ended within " + CHILD_SECONDS + " s; output:\n" + text).isTrue();
            assertThat(p.exitValue()).as("child exit; output:\n" + text).isZero();
            StringBuilder sb = new StringBuilder();
            text.lines().filter(l -> l.startsWith("seed=")).forEach(l -> sb.append(l).append('\n'));
            return sb.toString();
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /** Main of the child JVMs: runs the seeds with the default configuration and prints their lines. */
    public static final class Child {
        public static void main(String[] args) {
            java.util.logging.Logger.getLogger("io.verdant.supervisor").setLevel(java.util.logging.Level.OFF);
            System.out.print("refs".equals(System.getProperty("verdant.test.mode")) ? broadcastToASetOfRefs()
                    : runSeeds(DetRuns.QUIET));
        }
    }
}
