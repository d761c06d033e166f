package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour green-thread actors and event actors share, run against both
 * kinds (subclasses {@code GreenActorContractTest} and {@code EventActorContractTest}):
 * message order per sender, links, monitors, supervisor strategies and intensity,
 * dead letters. Each test drives "recorders": actors that put every message
 * they get into a queue and obey a few commands.
 */
@Timeout(60)
abstract class ActorContractTest {
    /** Command: link to the pid. */
    record LinkTo(Pid pid) {
    }

    /** Command: monitor the pid. */
    record MonitorOf(Pid pid) {
    }

    /** A message tagged with its sender and sequence number. */
    record Seq(int sender, int n) {
    }

    protected Verdant rt;
    protected final LinkedBlockingQueue<Object> deadLetters = new LinkedBlockingQueue<>();

    @BeforeEach
    void startRuntime() {
        rt = Verdant.start(Config.builder().workers(2).name("contract")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build());
    }

    @AfterEach
    void closeRuntime() {
        rt.close();
    }

    /** Spawns a recorder of this kind (not linked to anyone) that records into {@code out}. */
    abstract GreenHandle<?> spawnRecorder(BlockingQueue<Object> out);

    /** A supervisor child spec for a recorder of this kind. */
    abstract Supervisor.ChildSpec recorderSpec(String name, BlockingQueue<Object> out);

    /**
     * What every recorder does with a message: obeys it, then records it.
     * Returns true if the recorder must end normally ("exit").
     */
    static boolean react(Object m, BlockingQueue<Object> out) {
        switch (m) {
            case String s when s.equals("crash") -> {
                out.add(m);
                throw new IllegalStateException("crash requested");
            }
            case String s when s.equals("exit") -> {
                out.add(m);
                return true;
            }
            case String s when s.equals("trap") -> Green.trapExits(true);
            case LinkTo l -> Green.link(l.pid());
            case MonitorOf mo -> Green.monitor(mo.pid());
            default -> {
            }
        }
        // Recorded after it is obeyed: a test that saw a LinkTo or MonitorOf knows it is in place.
        out.add(m);
        return false;
    }

    private static <T> T next(BlockingQueue<Object> q, Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            Object m = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
            }
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
    }

    private static void awaitRecorded(BlockingQueue<Object> q, Object expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            Object m = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("not recorded within 10 s: " + expected);
            }
            if (m.equals(expected)) {
                return;
            }
        }
    }

    @Test
    void messagesFromOneSenderArriveInTheOrderSent() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        GreenHandle<?> r = spawnRecorder(out);
        int senders = 3;
        int each = 2_000;
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            hs.add(rt.spawn(() -> {
                for (int i = 0; i < each; i++) {
                    Green.send(r.pid(), new Seq(sender, i));
                }
            }));
        }
        Green.joinAll(hs);
        Map<Integer, Integer> last = new HashMap<>();
        for (int k = 0; k < senders * each; k++) {
            Seq s = next(out, Seq.class);
            int prev = last.getOrDefault(s.sender(), -1);
            assertThat(s.n()).as("sender " + s.sender()).isEqualTo(prev + 1);
            last.put(s.sender(), s.n());
        }
    }

    @Test
    void aMonitorGetsOneDownWithTheFailure() throws Exception {
        LinkedBlockingQueue<Object> watcherOut = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> targetOut = new LinkedBlockingQueue<>();
        GreenHandle<?> watcher = spawnRecorder(watcherOut);
        GreenHandle<?> target = spawnRecorder(targetOut);
        Green.send(watcher.pid(), new MonitorOf(target.pid()));
        awaitRecorded(watcherOut, new MonitorOf(target.pid()));
        Green.send(target.pid(), "crash");
        Signal.Down down = next(watcherOut, Signal.Down.class);
        assertThat(down.pid()).isEqualTo(target.pid());
        assertThat(down.failure()).isInstanceOf(IllegalStateException.class).hasMessage("crash requested");
        assertThatThrownBy(target::join).isInstanceOf(GreenFailedException.class);
    }

    @Test
    void aMonitorOfANormalEndGetsANormalDown() throws Exception {
        LinkedBlockingQueue<Object> watcherOut = new LinkedBlockingQueue<>();
        GreenHandle<?> watcher = spawnRecorder(watcherOut);
        GreenHandle<?> target = spawnRecorder(new LinkedBlockingQueue<>());
        Green.send(watcher.pid(), new MonitorOf(target.pid()));
        awaitRecorded(watcherOut, new MonitorOf(target.pid()));
        Green.send(target.pid(), "exit");
        Signal.Down down = next(watcherOut, Signal.Down.class);
        assertThat(down.pid()).isEqualTo(target.pid());
        assertThat(down.normal()).isTrue();
    }

    @Test
    void monitoringADeadPidDeliversADownAtOnce() throws Exception {
        GreenHandle<?> target = spawnRecorder(new LinkedBlockingQueue<>());
        Green.send(target.pid(), "exit");
        target.join();
        LinkedBlockingQueue<Object> watcherOut = new LinkedBlockingQueue<>();
        GreenHandle<?> watcher = spawnRecorder(watcherOut);
        Green.send(watcher.pid(), new MonitorOf(target.pid()));
        Signal.Down down = next(watcherOut, Signal.Down.class);
        assertThat(down.failure()).isInstanceOf(NoSuchGreenThreadException.class);
    }

    @Test
    void aLinkedFailureReachesATrappingPeerAsASignal() throws Exception {
        LinkedBlockingQueue<Object> aOut = new LinkedBlockingQueue<>();
        GreenHandle<?> a = spawnRecorder(aOut);
        GreenHandle<?> b = spawnRecorder(new LinkedBlockingQueue<>());
        Green.send(a.pid(), "trap");
        Green.send(a.pid(), new LinkTo(b.pid()));
        awaitRecorded(aOut, new LinkTo(b.pid()));
        Green.send(b.pid(), "crash");
        Signal.Failure f = next(aOut, Signal.Failure.class);
        assertThat(f.pid()).isEqualTo(b.pid());
        assertThat(f.cause()).hasMessage("crash requested");
        assertThat(rt.isAlive(a.pid())).isTrue();
    }

    @Test
    void aLinkedFailureStopsAPeerThatDoesNotTrapExits() throws Exception {
        LinkedBlockingQueue<Object> aOut = new LinkedBlockingQueue<>();
        GreenHandle<?> a = spawnRecorder(aOut);
        GreenHandle<?> b = spawnRecorder(new LinkedBlockingQueue<>());
        Green.send(a.pid(), new LinkTo(b.pid()));
        awaitRecorded(aOut, new LinkTo(b.pid()));
        Green.send(b.pid(), "crash");
        assertThatThrownBy(() -> a.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(LinkedFailureException.class);
    }

    @Test
    void aNormalEndReachesATrappingLinkedPeerAsExit() throws Exception {
        LinkedBlockingQueue<Object> aOut = new LinkedBlockingQueue<>();
        GreenHandle<?> a = spawnRecorder(aOut);
        GreenHandle<?> b = spawnRecorder(new LinkedBlockingQueue<>());
        Green.send(a.pid(), "trap");
        Green.send(a.pid(), new LinkTo(b.pid()));
        awaitRecorded(aOut, new LinkTo(b.pid()));
        Green.send(b.pid(), "exit");
        assertThat(next(aOut, Signal.Exit.class).pid()).isEqualTo(b.pid());
    }

    @Test
    void sendingToAnEndedActorIsADeadLetter() throws Exception {
        GreenHandle<?> r = spawnRecorder(new LinkedBlockingQueue<>());
        Green.send(r.pid(), "exit");
        r.join();
        assertThat(Green.send(r.pid(), "late")).isFalse();
        assertThat(deadLetters.poll(10, TimeUnit.SECONDS)).isEqualTo("late");
    }

    private static Pid awaitNewPid(Supervisor sup, String name, Pid old) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<Pid> p = sup.child(name);
            if (p.isPresent() && !p.get().equals(old)) {
                return p.get();
            }
            Thread.sleep(2);
        }
        throw new AssertionError(name + " not restarted within 10 s");
    }

    @Test
    void oneForOneRestartsOnlyTheFailedChild() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.ONE_FOR_ONE)
                .child(recorderSpec("a", out)).child(recorderSpec("b", out)).start(rt);
        Pid a = sup.child("a").orElseThrow();
        Pid b = sup.child("b").orElseThrow();
        Green.send(a, "crash");
        Pid a2 = awaitNewPid(sup, "a", a);
        assertThat(a2).isNotEqualTo(a);
        assertThat(sup.child("b")).contains(b);
        assertThat(rt.isAlive(b)).isTrue();
        assertThat(sup.restartCount()).isEqualTo(1);
        Green.send(a2, "ping");
        awaitRecorded(out, "ping");
        sup.shutdown();
        assertThat(rt.isAlive(a2)).isFalse();
        assertThat(rt.isAlive(b)).isFalse();
    }

    @Test
    void oneForAllRestartsEveryChild() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.ONE_FOR_ALL)
                .child(recorderSpec("a", out)).child(recorderSpec("b", out)).start(rt);
        Pid a = sup.child("a").orElseThrow();
        Pid b = sup.child("b").orElseThrow();
        Green.send(b, "crash");
        Pid b2 = awaitNewPid(sup, "b", b);
        Pid a2 = awaitNewPid(sup, "a", a);
        assertThat(rt.isAlive(a)).isFalse();
        assertThat(rt.isAlive(a2)).isTrue();
        assertThat(rt.isAlive(b2)).isTrue();
        sup.shutdown();
    }

    @Test
    void restForOneRestartsTheFailedChildAndThoseStartedAfterIt() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.REST_FOR_ONE)
                .child(recorderSpec("a", out)).child(recorderSpec("b", out)).child(recorderSpec("c", out)).start(rt);
        Pid a = sup.child("a").orElseThrow();
        Pid b = sup.child("b").orElseThrow();
        Pid c = sup.child("c").orElseThrow();
        Green.send(b, "crash");
        awaitNewPid(sup, "b", b);
        awaitNewPid(sup, "c", c);
        assertThat(sup.child("a")).contains(a);
        assertThat(rt.isAlive(c)).isFalse();
        sup.shutdown();
    }

    @Test
    void tooManyRestartsFailTheSupervisor() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        Supervisor sup = Supervisor.builder().intensity(2, Duration.ofSeconds(30))
                .child(recorderSpec("a", out)).start(rt);
        Pid p = sup.child("a").orElseThrow();
        for (int i = 0; i < 2; i++) {
            Green.send(p, "crash");
            p = awaitNewPid(sup, "a", p);
        }
        Green.send(p, "crash");
        assertThatThrownBy(() -> sup.handle().join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(RestartIntensityException.class);
        assertThat(rt.isAlive(p)).isFalse();
    }
}
