package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Supervisor.startChild / terminateChild / restartChild / deleteChild / whichChildren. */
@Timeout(60)
class DynamicSupervisorTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("dynsup").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Runs until cancelled; crashes on "crash". */
    private static Object worker() {
        for (;;) {
            if ("crash".equals(Green.receive())) {
                throw new IllegalStateException("crashed");
            }
        }
    }

    private static Supervisor.ChildSpec spec(String name) {
        return Supervisor.ChildSpec.of(name, DynamicSupervisorTest::worker);
    }

    @Test
    void startChildAddsASupervisedChild() throws Exception {
        Supervisor sup = Supervisor.builder().name("dyn").intensity(10, Duration.ofMinutes(1)).start(rt);
        assertThat(sup.whichChildren()).isEmpty();
        Pid a = sup.startChild(spec("a"));
        Pid b = sup.startChild(spec("b"));
        assertThat(rt.isAlive(a)).isTrue();
        assertThat(sup.whichChildren()).containsExactly(
                new Supervisor.ChildInfo("a", Supervisor.ChildState.RUNNING, Optional.of(a), Supervisor.Restart.PERMANENT),
                new Supervisor.ChildInfo("b", Supervisor.ChildState.RUNNING, Optional.of(b), Supervisor.Restart.PERMANENT));
        assertThat(sup.children()).extracting(Supervisor.Child::name).containsExactly("a", "b");
        // A dynamically started child is restarted like any other.
        Green.send(a, "crash");
        Pid a2 = awaitNewPid(sup, "a", a);
        assertThat(a2).isNotEqualTo(a);
        assertThat(sup.restartCount()).isEqualTo(1);
        sup.shutdown();
    }

    private static Pid awaitNewPid(Supervisor sup, String name, Pid old) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (Supervisor.ChildInfo c : sup.whichChildren()) {
                if (c.name().equals(name) && c.pid().isPresent() && !c.pid().get().equals(old)) {
                    return c.pid().get();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("child " + name + " was not restarted");
    }

    @Test
    void terminateRestartAndDelete() {
        Supervisor sup = Supervisor.builder().name("dyn").child(spec("a")).child(spec("b")).start(rt);
        Pid a = sup.child("a").orElseThrow();
        sup.terminateChild("a");
        assertThat(rt.isAlive(a)).isFalse();
        assertThat(sup.whichChildren()).first().satisfies(c -> {
            assertThat(c.state()).isEqualTo(Supervisor.ChildState.TERMINATED);
            assertThat(c.pid()).isEmpty();
        });
        assertThat(sup.children()).extracting(Supervisor.Child::name).containsExactly("b");
        sup.terminateChild("a"); // already terminated: nothing happens
        assertThatThrownBy(() -> sup.restartChild("b")).isInstanceOf(IllegalStateException.class).hasMessageContaining("running");
        assertThatThrownBy(() -> sup.deleteChild("b")).isInstanceOf(IllegalStateException.class).hasMessageContaining("running");
        Pid a2 = sup.restartChild("a");
        assertThat(rt.isAlive(a2)).isTrue();
        assertThat(sup.restartCount()).as("a manual restart is not counted against the intensity").isZero();
        sup.terminateChild("a");
        sup.deleteChild("a");
        assertThat(sup.whichChildren()).extracting(Supervisor.ChildInfo::name).containsExactly("b");
        Pid again = sup.startChild(spec("a"));
        assertThat(sup.whichChildren()).extracting(Supervisor.ChildInfo::name).containsExactly("b", "a");
        assertThat(rt.isAlive(again)).isTrue();
        sup.shutdown();
        assertThat(rt.isAlive(again)).isFalse();
    }

    @Test
    void aTerminatedChildIsNotRestartedByTheStrategy() throws Exception {
        Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.ONE_FOR_ALL)
                .intensity(10, Duration.ofMinutes(1)).child(spec("a")).child(spec("b")).start(rt);
        sup.terminateChild("a");
        Pid b = sup.child("b").orElseThrow();
        Green.send(b, "crash");
        awaitNewPid(sup, "b", b);
        List<Supervisor.ChildInfo> kids = sup.whichChildren();
        assertThat(kids.get(0).state()).isEqualTo(Supervisor.ChildState.TERMINATED);
        assertThat(kids.get(1).state()).isEqualTo(Supervisor.ChildState.RUNNING);
        sup.shutdown();
    }

    @Test
    void aTemporaryChildIsRemovedWhenTerminated() {
        Supervisor sup = Supervisor.builder().child(spec("t").restart(Supervisor.Restart.TEMPORARY)).start(rt);
        sup.terminateChild("t");
        assertThat(sup.whichChildren()).isEmpty();
        sup.shutdown();
    }

    @Test
    void startChildFromInsideAGreenThread() {
        rt.run(() -> {
            Supervisor sup = Supervisor.builder().start();
            Pid p = sup.startChild(spec("w"));
            assertThat(Green.runtime().isAlive(p)).isTrue();
            sup.shutdown();
        });
    }

    @Test
    void badInputAndAnEndedSupervisor() {
        Supervisor sup = Supervisor.builder().child(spec("a")).start(rt);
        assertThatThrownBy(() -> sup.startChild(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> sup.startChild(spec("a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has a child named 'a'");
        assertThatThrownBy(() -> sup.terminateChild("zz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no child named 'zz'");
        assertThatThrownBy(() -> sup.restartChild("zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sup.deleteChild("zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sup.terminateChild(null)).isInstanceOf(NullPointerException.class);
        sup.shutdown();
        assertThatThrownBy(() -> sup.startChild(spec("b"))).isInstanceOf(CalleeExitedException.class);
        assertThatThrownBy(sup::whichChildren).isInstanceOf(CalleeExitedException.class);
    }
}
