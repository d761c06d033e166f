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
 * ActorCell, "Unlink versus an exit in flight": once unlink returns, no exit
 * signal of the unlinked peer reaches the caller (Erlang's guarantee since OTP
 * 23). O, linked with Q and then with P, fails; its exit reads its links [Q, P]
 * and is held at Q (the test holds Q's cell lock) while P unlinks O. Before the
 * fix the exit then went on to P: a P that does not trap exits was killed with
 * LinkedFailureException after its unlink had returned, and a P that traps got
 * a Signal.Failure (both 3 of 3 rounds, on each of 3 runs). And P, having
 * unlinked, links O again meanwhile (ActorCell.link, as Green.link after a
 * look-up that found O alive): O has ended, so P is told by that link, exactly
 * once (the exit must not tell it a second time).
 */
@Timeout(60)
class UnlinkInFlightExitTest {
    private static final int ROUNDS = 3;

    @Test
    void aPeerThatUnlinksIsNotKilledByAnExitInFlight() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("unlink-kill").build())) {
            int killed = 0;
            for (int round = 0; round < ROUNDS; round++) {
                killed += round(rt, false, false) == -1 ? 1 : 0;
            }
            assertThat(killed).as("rounds (of " + ROUNDS + ") where P was killed after its unlink returned").isZero();
        }
    }

    @Test
    void aTrappingPeerThatUnlinksGetsNoSignalFromAnExitInFlight() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("unlink-trap").build())) {
            int signalled = 0;
            for (int round = 0; round < ROUNDS; round++) {
                int n = round(rt, true, false);
                assertThat(n).as("P traps exits: never killed").isNotNegative();
                signalled += n > 0 ? 1 : 0;
            }
            assertThat(signalled).as("rounds (of " + ROUNDS + ") where P got O's exit after its unlink returned").isZero();
        }
    }

    @Test
    void aPeerThatUnlinksAndLinksAgainIsToldOnce() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("unlink-relink").build())) {
            for (int round = 0; round < ROUNDS; round++) {
                assertThat(round(rt, true, true)).as("O's exit signals P got (round " + round + ")").isEqualTo(1);
            }
        }
    }

    /**
     * One round: P links O (after Q), unlinks it while O's exit is held at Q (and,
     * if {@code relink}, links it again), then counts O's exit signals in its
     * mailbox once the exit is over.
     *
     * @return the number of O's Failure signals P got, or -1 if P was killed
     */
    private static int round(Verdant rt, boolean trap, boolean relink) throws Exception {
        RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
        GreenHandle<Object> o = rt.spawn(() -> {
            Green.receive();
            throw new IllegalStateException("O fails");
        });
        Pid oPid = o.pid();
        GreenThread<?> og = core.lookup(oPid);
        assertThat(og).isNotNull();
        CountDownLatch exitOver = new CountDownLatch(1);
        // Internal watchers are told after the links: this one says the exit's link loop is over.
        ActorCell.watch(og, down -> exitOver.countDown());

        CountDownLatch qLinked = new CountDownLatch(1);
        GreenHandle<Object> q = rt.spawn(() -> {
            Green.trapExits(true);
            assertThat(Green.link(oPid)).isTrue();
            qLinked.countDown();
            return Green.receive(Signal.Failure.class, Duration.ofSeconds(30));
        });
        assertThat(qLinked.await(30, TimeUnit.SECONDS)).isTrue();
        GreenThread<?> qg = core.lookup(q.pid());
        assertThat(qg).isNotNull();

        CountDownLatch pLinked = new CountDownLatch(1);
        CountDownLatch unlinked = new CountDownLatch(1);
        GreenHandle<Integer> p = rt.spawn(() -> {
            Green.trapExits(trap);
            assertThat(Green.link(oPid)).isTrue();
            pLinked.countDown();
            Green.receive(String.class); // "unlink"
            Green.unlink(oPid);
            if (relink) {
                assertThat(Green.link(oPid)).as("O's pid names no live thread").isFalse();
                // What Green.link does when its look-up found O just before it ended: the
                // exit has not told P (P unlinked first), so this link tells it, at once.
                ActorCell.link(GreenThread.current(), og);
            }
            unlinked.countDown();
            assertThat(exitOver.await(30, TimeUnit.SECONDS)).isTrue();
            int n = 0;
            for (Optional<Object> m; (m = Green.tryReceive()).isPresent(); ) {
                if (m.get() instanceof Signal.Failure f && f.pid().equals(oPid)) {
                    n++;
                }
            }
            return n;
        });
        assertThat(pLinked.await(30, TimeUnit.SECONDS)).isTrue();

        ActorCell qc = ActorCell.of(qg);
        synchronized (qc) {
            Green.send(oPid, "fail");
            // O's exit has read its links [Q, P] and waits for Q's cell lock.
            awaitBlocked(og.vthread);
            Green.send(p.pid(), "unlink");
            assertThat(unlinked.await(30, TimeUnit.SECONDS)).as("P's unlink returned").isTrue();
        }
        assertThat(exitOver.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(q.join(Duration.ofSeconds(30))).isInstanceOf(Signal.Failure.class);
        try {
            return p.join(Duration.ofSeconds(30));
        } catch (io.verdant.GreenFailedException e) {
            assertThat(e).cause().isInstanceOf(io.verdant.LinkedFailureException.class);
            return -1;
        }
    }

    private static void awaitBlocked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.BLOCKED) {
            assertThat(System.nanoTime() - deadline).as("O's exit reached Q's cell lock in time").isNegative();
            Thread.onSpinWait();
        }
    }
}
