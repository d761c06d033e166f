package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exact restart sequences. One worker: children spawned in a row run in spawn
 * order, and stops happen one at a time, so the event order is deterministic.
 */
@Timeout(60)
class SupervisorTest {
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final Map<String, Pid> pids = new ConcurrentHashMap<>();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("sup").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** A child: records start/stop, crashes on "crash", returns on "exit". */
    private Callable<Object> child(String name) {
        return () -> {
            pids.put(name, Green.self());
            events.add("start:" + name);
            try {
                for (;;) {
                    Object m = Green.receive();
                    if ("crash".equals(m)) {
                        throw new IllegalStateException(name + " crashed");
                    }
                    if ("exit".equals(m)) {
                        return name;
                    }
                }
            } catch (CancelledException e) {
                events.add("stop:" + name);
                throw e;
            }
        };
    }

    private List<String> take(int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String e = events.poll(20, TimeUnit.SECONDS);
            assertThat(e).as("event %d of %d after %s", i + 1, n, out).isNotNull();
            out.add(e);
        }
        return out;
    }

    private Supervisor supervisor(Supervisor.Strategy strategy, String... names) {
        Supervisor.Builder b = Supervisor.builder().strategy(strategy).intensity(10, Duration.ofMinutes(1));
        for (String n : names) {
            b.child(Supervisor.ChildSpec.of(n, child(n)));
        }
        return b.start(rt);
    }

    private void crash(String name) {
        assertThat(Green.send(pids.get(name), "crash")).isTrue();
    }

    @Test
    void oneForOneRestartsOnlyTheCrashedChild() throws Exception {
        Supervisor sup = supervisor(Supervisor.Strategy.ONE_FOR_ONE, "a", "b", "c");
        assertThat(take(3)).containsExactly("start:a", "start:b", "start:c");
        Pid a = pids.get("a");
        Pid b = pids.get("b");
        crash("b");
        assertThat(take(1)).containsExactly("start:b");
        assertThat(pids.get("b")).isNotEqualTo(b);
        assertThat(pids.get("a")).isEqualTo(a);
        assertThat(sup.restartCount()).isEqualTo(1);
        sup.shutdown();
        assertThat(take(3)).containsExactly("stop:c", "stop:b", "stop:a");
        assertThat(events).isEmpty();
    }

    @Test
    void oneForAllStopsTheOthersInReverseAndRestartsAllInOrder() throws Exception {
        Supervisor sup = supervisor(Supervisor.Strategy.ONE_FOR_ALL, "a", "b", "c");
        take(3);
        crash("b");
        assertThat(take(5)).containsExactly("stop:c", "stop:a", "start:a", "start:b", "start:c");
        assertThat(sup.children()).extracting(Supervisor.Child::name).containsExactly("a", "b", "c");
        sup.shutdown();
        assertThat(take(3)).containsExactly("stop:c", "stop:b", "stop:a");
    }

    @Test
    void restForOneRestartsTheCrashedChildAndThoseStartedAfterIt() throws Exception {
        Supervisor sup = supervisor(Supervisor.Strategy.REST_FOR_ONE, "a", "b", "c", "d");
        take(4);
        Pid a = pids.get("a");
        crash("b");
        assertThat(take(5)).containsExactly("stop:d", "stop:c", "start:b", "start:c", "start:d");
        assertThat(pids.get("a")).isEqualTo(a);
        sup.shutdown();
        assertThat(take(4)).containsExactly("stop:d", "stop:c", "stop:b", "stop:a");
    }

    @Test
    void restartTypes() throws Exception {
        Supervisor sup = Supervisor.builder()
                .child(Supervisor.ChildSpec.of("perm", child("perm")))
                .child(Supervisor.ChildSpec.of("trans", child("trans")).restart(Supervisor.Restart.TRANSIENT))
                .child(Supervisor.ChildSpec.of("temp", child("temp")).restart(Supervisor.Restart.TEMPORARY))
                .start(rt);
        take(3);
        Green.send(pids.get("perm"), "exit");
        assertThat(take(1)).containsExactly("start:perm");
        crash("trans");
        assertThat(take(1)).containsExactly("start:trans");
        crash("temp");
        Green.send(pids.get("trans"), "exit");
        // Neither is restarted; a permanent crash afterwards proves the supervisor moved on.
        crash("perm");
        assertThat(take(1)).containsExactly("start:perm");
        assertThat(sup.children()).extracting(Supervisor.Child::name).containsExactly("perm");
        assertThat(sup.restartCount()).isEqualTo(3);
        sup.shutdown();
        assertThat(take(1)).containsExactly("stop:perm");
    }

    @Test
    void exceedingTheIntensityStopsTheChildrenAndEscalatesToTheParent() throws Exception {
        rt.run(() -> {
            Green.trapExits(true);
            Supervisor sup = Supervisor.builder().name("fragile").intensity(2, Duration.ofMinutes(1))
                    .child(Supervisor.ChildSpec.of("a", child("a")))
                    .child(Supervisor.ChildSpec.of("b", child("b")))
                    .start();
            assertThat(take(2)).containsExactly("start:a", "start:b");
            crash("a");
            assertThat(take(1)).containsExactly("start:a");
            crash("a");
            assertThat(take(1)).containsExactly("start:a");
            crash("a");
            assertThat(take(1)).containsExactly("stop:b");
            Signal.Failure f = Green.receive(Signal.Failure.class);
            assertThat(f.pid()).isEqualTo(sup.pid());
            assertThat(f.cause()).isInstanceOf(RestartIntensityException.class)
                    .hasMessageContaining("fragile").hasRootCauseMessage("a crashed");
            assertThatThrownBy(sup::shutdown).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(RestartIntensityException.class);
            assertThat(sup.children()).isEmpty();
            return null;
        });
        assertThat(events).isEmpty();
    }

    @Test
    void nestedTreeRestartsAGivingUpSubtreeAndShutsDownFully() throws Exception {
        Supervisor.Builder sub1 = Supervisor.builder().name("sub1").intensity(0, Duration.ofMinutes(1))
                .child(Supervisor.ChildSpec.of("x", child("x")))
                .child(Supervisor.ChildSpec.of("y", child("y")));
        Supervisor.Builder sub2 = Supervisor.builder().name("sub2")
                .child(Supervisor.ChildSpec.of("u", child("u")))
                .child(Supervisor.ChildSpec.of("v", child("v")));
        Supervisor top = Supervisor.builder().name("top")
                .child(sub1.asChild())
                .child(Supervisor.ChildSpec.of("z", child("z")))
                .child(sub2.asChild())
                .start(rt);
        assertThat(take(5)).containsExactlyInAnyOrder("start:x", "start:y", "start:z", "start:u", "start:v");
        List<Pid> firstLeaves = List.copyOf(pids.values());
        // sub1 allows no restart: its child's crash makes it give up; top restarts sub1 (one-for-one).
        crash("x");
        assertThat(take(3)).containsExactly("stop:y", "start:x", "start:y");
        assertThat(top.restartCount()).isEqualTo(1);
        List<Pid> leaves = new ArrayList<>(pids.values());
        leaves.addAll(firstLeaves);
        assertThat(top.children()).extracting(Supervisor.Child::name).containsExactly("sub1", "z", "sub2");
        top.children().forEach(c -> leaves.add(c.pid()));
        top.shutdown();
        // Reverse start order, depth first: sub2's children, z, then sub1's.
        assertThat(take(5)).containsExactly("stop:v", "stop:u", "stop:z", "stop:y", "stop:x");
        for (Pid p : leaves) {
            assertThat(rt.isAlive(p)).as("leaf %s", p).isFalse();
        }
        assertThat(top.handle().isDone()).isTrue();
        assertThat(top.children()).isEmpty();
    }
}
