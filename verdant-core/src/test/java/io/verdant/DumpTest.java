package io.verdant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link Verdant#dump}: supervisor trees, grouping by parent, deadlocks, JSON. */
@Timeout(60)
class DumpTest {
    static String text(Verdant rt, DumpOptions o) {
        StringBuilder sb = new StringBuilder();
        rt.dump(sb, o);
        return sb.toString();
    }

    @Test
    void eachLineSaysHowLongAndInHowManySlicesTheThreadRan() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("dump-slices").build())) {
            GreenHandle<Object> h = rt.spawner().name("yielder").spawn(() -> {
                Green.yield();
                Green.yield();
                Green.yield();
                return Green.receive(); // the fourth slice ends in this park
            });
            // The carrier counts a slice once the thread has left it, a moment after the park.
            waitUntil(() -> rt.snapshot().threads().stream().anyMatch(t -> t.pid().equals(h.pid()) && t.dispatches() >= 4));
            assertThat(text(rt, DumpOptions.text()))
                    .containsPattern("(?m)^'yielder' " + q(h.pid()) + " WAITING .*receive \\(mailbox\\)  NORMAL  run \\d+ ms in 4 slices$");
            Green.send(h.pid(), "done");
            assertThat(h.join(Duration.ofSeconds(20))).isEqualTo("done");
        }
    }

    @Test
    void aKnownSupervisorTreeIsPrintedAsThatTree() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-tree").build())) {
            Supervisor app = Supervisor.builder().name("app")
                    .child(Supervisor.ChildSpec.of("db", () -> {
                        Green.receive();
                    }))
                    .child(Supervisor.builder().name("workers").strategy(Supervisor.Strategy.ONE_FOR_ALL)
                            .child(Supervisor.ChildSpec.of("w-1", () -> {
                                Green.receive();
                            }))
                            .child(Supervisor.ChildSpec.of("w-2", () -> {
                                Green.receive();
                            })).asChild())
                    .start(rt);
            waitUntil(() -> rt.snapshot().threads().size() == 5
                    && rt.snapshot().threads().stream().allMatch(t -> t.state() == GreenState.WAITING)
                    && text(rt, DumpOptions.text()).contains("'w-2'"));
            String dump = text(rt, DumpOptions.text());
            Pid db = app.child("db").orElseThrow();
            Pid workers = app.child("workers").orElseThrow();
            assertThat(dump).startsWith("Verdant runtime 'dump-tree'");
            assertThat(dump).containsPattern("(?m)^supervisor 'app' " + q(app.pid()) + " ONE_FOR_ONE, 0 restarts \\(limit 3\\)");
            assertThat(dump).containsPattern("(?m)^├── 'db' " + q(db) + " WAITING .*receive \\(mailbox\\)");
            assertThat(dump).containsPattern("(?m)^└── supervisor 'workers' " + q(workers) + " ONE_FOR_ALL");
            assertThat(dump).containsPattern("(?m)^    ├── 'w-1' <[0-9.]+> WAITING");
            assertThat(dump).containsPattern("(?m)^    └── 'w-2' <[0-9.]+> WAITING");
            assertThat(dump.indexOf("'app'")).isLessThan(dump.indexOf("'db'"));
            assertThat(dump.indexOf("'db'")).isLessThan(dump.indexOf("'workers'"));
            assertThat(dump.indexOf("'w-1'")).isLessThan(dump.indexOf("'w-2'"));
            assertThat(dump).doesNotContain("not supervised").doesNotContain("DEADLOCK");

            String json = text(rt, DumpOptions.json().stacks(true));
            assertThat(json).contains("\"verdantDump\"").contains("\"tid\": \"").contains("\"stack\": [")
                    .contains("\"childName\": \"w-1\"").contains("\"supervisor\": \"" + app.pid() + "\"")
                    .contains("\"deadlocks\": []");
            // The fields docs/observability.md lists: the runtime's first, each thread's JDK state and Verdant's.
            assertThat(json).contains("\"runtime\": \"").contains("\"processId\": \"").contains("\"time\": \"")
                    .contains("\"state\": \"WAITING\"").contains("\"verdantState\": \"WAITING\"");
            app.shutdown();
        }
    }

    @Test
    void identicalSiblingsCollapseUnderTheirParent() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-group").build())) {
            CountDownLatch spawned = new CountDownLatch(1);
            GreenHandle<Void> server = rt.spawner().name("server").spawn(() -> {
                List<GreenHandle<Object>> conns = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    conns.add(Green.spawner().name("conn").spawn(() -> Green.receive()));
                }
                spawned.countDown();
                Green.joinAll(conns);
            });
            spawned.await();
            waitUntil(() -> rt.snapshot().threads().stream().allMatch(t -> t.state() == GreenState.WAITING));
            String dump = text(rt, DumpOptions.text().stacks(true));
            assertThat(dump).containsPattern("(?m)^'server' " + q(server.pid()) + " WAITING");
            assertThat(dump).containsPattern("(?m)^    5 x 'conn' WAITING  receive \\(mailbox\\), same stack");
            rt.snapshot().threads().forEach(t -> Green.send(t.pid(), "bye"));
            server.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void aTwoMutexDeadlockIsFlagged() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-deadlock")
                .shutdownTimeout(Duration.ofSeconds(10)).build())) {
            Mutex<String> a = new Mutex<>("a");
            Mutex<String> b = new Mutex<>("b");
            CountDownLatch both = new CountDownLatch(2);
            GreenHandle<String> first = rt.spawner().name("first").spawn(() -> {
                try (Mutex.Guard<String> ga = a.lock(Duration.ofSeconds(60))) {
                    both.countDown();
                    both.await();
                    try (Mutex.Guard<String> gb = b.lock(Duration.ofSeconds(60))) {
                        return ga.get() + gb.get();
                    }
                }
            });
            GreenHandle<String> second = rt.spawner().name("second").spawn(() -> {
                try (Mutex.Guard<String> gb = b.lock(Duration.ofSeconds(60))) {
                    both.countDown();
                    both.await();
                    try (Mutex.Guard<String> ga = a.lock(Duration.ofSeconds(60))) {
                        return ga.get() + gb.get();
                    }
                }
            });
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '(first|second)' <[0-9.]+> waits for '(first|second)' <[0-9.]+>"
                    + " waits for '(first|second)' <[0-9.]+>\n");
            assertThat(dump).contains("'first' " + first.pid() + ": Mutex.lock #").contains("held by " + second.pid())
                    .contains("held by " + first.pid());
            String json = text(rt, DumpOptions.json());
            assertThat(json).containsPattern("\"deadlocks\": \\[\\[\"<[0-9.]+>\", \"<[0-9.]+>\"\\]\\]");
            first.cancel();
            assertThat(second.join(Duration.ofSeconds(20))).isEqualTo("ab");
        }
    }

    /**
     * A join cycle through a handle's CompletableFuture: one thread waits in
     * {@code toCompletableFuture().get()} for a thread that joins it. Its wait reason
     * named the thread waited for ("toCompletableFuture of &lt;pid&gt;"), but its
     * waitingFor was null, so the snapshot did not say whom it waited for and the dump
     * missed the deadlock.
     */
    @Test
    void aJoinCycleThroughAHandlesCompletableFutureIsFlagged() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-cf-deadlock")
                .shutdownTimeout(Duration.ofSeconds(10)).build())) {
            java.util.concurrent.CompletableFuture<GreenHandle<String>> other = new java.util.concurrent.CompletableFuture<>();
            GreenHandle<String> getter = rt.spawner().name("getter").spawn(() ->
                    other.get(20, java.util.concurrent.TimeUnit.SECONDS).toCompletableFuture().get());
            GreenHandle<String> joiner = rt.spawner().name("joiner").spawn(() -> getter.join());
            other.complete(joiner);
            waitUntil(() -> getter.state() == GreenState.WAITING && joiner.state() == GreenState.WAITING
                    && SnapshotTest.info(rt, getter.pid()).waitReason().startsWith("toCompletableFuture"));
            assertThat(SnapshotTest.info(rt, getter.pid()).waitingFor()).as("waitingFor of the getter")
                    .isEqualTo(joiner.pid());
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '(getter|joiner)' <[0-9.]+> waits for '(getter|joiner)' <[0-9.]+>"
                    + " waits for '(getter|joiner)'");
            assertThat(dump).contains("'getter' " + getter.pid() + ": toCompletableFuture of " + joiner.pid())
                    .contains("'joiner' " + joiner.pid() + ": join " + getter.pid() + " 'getter'");
            getter.cancel();
            joiner.cancel();
        }
    }

    /**
     * A join cycle through a green executor's future: a thread waits in {@code get} for
     * a task whose thread (one per task) joins it. The wait reason named the task's
     * thread, but waitingFor was null and the dump missed the deadlock.
     */
    @Test
    void aJoinCycleThroughAnExecutorFutureIsFlagged() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-executor-deadlock")
                .shutdownTimeout(Duration.ofSeconds(10)).build())) {
            java.util.concurrent.CompletableFuture<GreenHandle<String>> getterOf = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.ExecutorService executor = rt.executor();
            java.util.concurrent.Future<String> task = executor.submit(() ->
                    getterOf.get(20, java.util.concurrent.TimeUnit.SECONDS).join());
            GreenHandle<String> getter = rt.spawner().name("getter").spawn(() -> task.get());
            getterOf.complete(getter);
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).contains("'getter' " + getter.pid() + ": executor task (running in <")
                    .containsPattern(": join " + q(getter.pid()) + " 'getter'\n");
            getter.cancel();
            task.cancel(true);
            executor.close();
        }
    }

    /**
     * A deadlock through an event actor: its handler holds a mutex and joins a thread
     * that waits for the mutex. The cycle is the actor's and the thread's; it was
     * flagged with the dispatcher running the handler in the actor's place.
     */
    @Test
    void aDeadlockThroughAnEventActorNamesTheActor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("dump-actor-deadlock")
                .shutdownTimeout(Duration.ofSeconds(10)).build())) {
            Mutex<String> m = new Mutex<>("m");
            CountDownLatch locked = new CountDownLatch(1);
            List<GreenHandle<String>> waiter = new ArrayList<>();
            GreenHandle<Object> actor = Actors.spawner(rt).name("actor").spawn(null, (s, msg) -> {
                try (Mutex.Guard<String> g = m.lock(Duration.ofSeconds(60))) {
                    locked.countDown();
                    @SuppressWarnings("unchecked")
                    GreenHandle<String> w = (GreenHandle<String>) msg;
                    return g.get() + w.join();
                }
            });
            GreenHandle<String> w = rt.spawner().name("waiter").spawn(() -> {
                locked.await();
                try (Mutex.Guard<String> g = m.lock(Duration.ofSeconds(60))) {
                    return g.get();
                }
            });
            waiter.add(w);
            rt.run(() -> Green.send(actor.pid(), w));
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '(actor|waiter)' <[0-9.]+> waits for '(actor|waiter)' <[0-9.]+>"
                    + " waits for '(actor|waiter)'");
            assertThat(dump).contains("'waiter' " + w.pid() + ": Mutex.lock #").contains("held by " + actor.pid())
                    .contains("'actor' " + actor.pid() + ": join " + w.pid() + " 'waiter'");
            String deadlocks = dump.substring(dump.indexOf("DEADLOCK"));
            assertThat(deadlocks).doesNotContain("verdant-dispatcher");
            w.cancel();
            actor.cancel();
        }
    }

    /**
     * A name cut in the middle of a surrogate pair (a lone surrogate, e.g. a name
     * truncated by its user) is written as a JSON escape, and a dump to a file still
     * gets written: before, the JSON held the raw lone surrogate (no UTF-8 text can
     * carry it) and {@code dump(Path, ...)} threw MalformedInputException, text or JSON.
     */
    @Test
    void aNameWithALoneSurrogateIsEscapedInJsonAndDoesNotBreakADumpToAFile(@TempDir Path dir) throws Exception {
        String lone = "half \uD83D";
        String pair = "smile \uD83D\uDE00 \"q\" \\ \u0001";
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("dump-surrogate").build())) {
            GreenHandle<Object> a = rt.spawner().name(lone).spawn(() -> Green.receive());
            GreenHandle<Object> b = rt.spawner().name(pair).spawn(() -> Green.receive());
            waitUntil(() -> a.state() == GreenState.WAITING && b.state() == GreenState.WAITING);

            String json = text(rt, DumpOptions.json());
            assertThat(json.chars().filter(c -> Character.isSurrogate((char) c)).count()).as("surrogates in the JSON")
                    .isEqualTo(2); // only the valid pair, written as itself
            assertThat(json).contains("half \\ud83d");

            Path jsonFile = dir.resolve("dump.json");
            rt.dump(jsonFile, DumpOptions.json());
            Map<String, String> names = new HashMap<>();
            for (JsonNode t : new ObjectMapper().readTree(jsonFile.toFile()).get("verdantDump").get("threads")) {
                names.put(t.get("pid").asText(), t.get("name").asText());
            }
            assertThat(names).containsEntry(a.pid().toString(), lone).containsEntry(b.pid().toString(), pair);

            Path textFile = dir.resolve("dump.txt");
            rt.dump(textFile, DumpOptions.text());
            String text = Files.readString(textFile, StandardCharsets.UTF_8);
            assertThat(text).contains("'half ?' " + a.pid()).contains("'" + pair + "' " + b.pid());

            Green.send(a.pid(), "bye");
            Green.send(b.pid(), "bye");
            a.join(Duration.ofSeconds(20));
            b.join(Duration.ofSeconds(20));
        }
    }

    static String q(Pid p) {
        return java.util.regex.Pattern.quote(p.toString());
    }
}
