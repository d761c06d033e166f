package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Signal;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ActorCell, "Demonitor versus an exit in flight": once demonitor returns true, no
 * Down of that monitor reaches the caller (Erlang's demonitor). T's exit reads its
 * watchers [L, W] and is held in L (an internal watcher, told first, that waits for
 * the test) while W demonitors T: by pid (Green.demonitor, whose look-up no longer
 * finds T, its pid slot already emptied) or by the thread itself
 * (ActorCell.demonitor). Before the fix both returned false and the Down reached W
 * after the call (both tests failed in their first round, 1 of 1 runs). A demonitor
 * made after the Down was
 * delivered returns false, and the Down stays in the mailbox.
 */
@Timeout(60)
class DemonitorInFlightExitTest {
    private static final int ROUNDS = 3;

    @Test
    void aDemonitorByPidDuringTheExitStopsTheDown() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("demonitor-pid").build())) {
            for (int round = 0; round < ROUNDS; round++) {
                assertThat(round(rt, true, true)).as("round " + round).isEqualTo("removed 0 Downs");
            }
        }
    }

    @Test
    void aDemonitorOfTheThreadDuringTheExitStopsTheDown() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("demonitor-ref").build())) {
            for (int round = 0; round < ROUNDS; round++) {
                assertThat(round(rt, false, true)).as("round " + round).isEqualTo("removed 0 Downs");
            }
        }
    }

    @Test
    void aDemonitorAfterTheDownLeavesItInTheMailbox() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("demonitor-late").build())) {
            assertThat(round(rt, true, false)).isEqualTo("not removed 1 Downs");
        }
    }

    /**
     * One round: W monitors T, T ends, and W demonitors it while T's exit is held
     * before W's Down ({@code during}) or once the exit is over.
     *
     * @return whether demonitor removed a monitor, and how many Downs of T W got
     */
    private static String round(Verdant rt, boolean byPid, boolean during) throws Exception {
        RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
        GreenHandle<Object> t = rt.spawn(() -> Green.receive());
        Pid tPid = t.pid();
        GreenThread<?> tg = core.lookup(tPid);
        assertThat(tg).isNotNull();
        CountDownLatch inExit = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        // Told before W (watchers are told in the order they watched): holds T's exit.
        ActorCell.watch(tg, down -> {
            inExit.countDown();
            try {
                go.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        CountDownLatch monitored = new CountDownLatch(1);
        GreenHandle<String> w = rt.spawn(() -> {
            Green.monitor(tPid);
            monitored.countDown();
            Green.receive(String.class); // "demonitor"
            boolean removed = byPid ? Green.demonitor(tPid) : ActorCell.demonitor(GreenThread.current(), tg);
            go.countDown();
            t.join(Duration.ofSeconds(30)); // T's exit is over: every Down it sends is in the mailbox
            int downs = 0;
            for (Optional<Object> m; (m = Green.tryReceive()).isPresent(); ) {
                if (m.get() instanceof Signal.Down d && d.pid().equals(tPid)) {
                    downs++;
                }
            }
            return (removed ? "removed " : "not removed ") + downs + " Downs";
        });
        assertThat(monitored.await(30, TimeUnit.SECONDS)).isTrue();
        rt.run(() -> Green.send(tPid, "end"));
        assertThat(inExit.await(30, TimeUnit.SECONDS)).as("T's exit reached its first watcher").isTrue();
        if (!during) {
            go.countDown();
            t.join(Duration.ofSeconds(30));
        }
        rt.run(() -> Green.send(w.pid(), "demonitor"));
        return w.join(Duration.ofSeconds(30));
    }
}
