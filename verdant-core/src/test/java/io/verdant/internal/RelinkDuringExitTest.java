package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
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
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ActorCell's contract: "every peer exactly one exit signal". A green thread P
 * already linked with O calls Green.link(O) again while O ends: P's lookup finds O
 * alive, then O empties its slot and runs exited() (links snapshot [P]: one
 * signal), then P's ActorCell.link takes O's cell lock and sees exited. Before
 * the fix it delivered the exit a second time (12 of 12 rounds on each of 4
 * runs); now it finds P among the links the exit read. The test holds O's cell
 * lock to line both up at that lock; whichever gets it first decides.
 */
@Timeout(120)
class RelinkDuringExitTest {

    @Test
    void relinkingAnAlreadyLinkedPeerThatEndsMeanwhileGivesOneExitSignal() throws Exception {
        String name = "relink-exit";
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name(name).build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            int duplicates = 0;
            for (int round = 0; round < 12; round++) {
                duplicates += round(rt, core) > 1 ? 1 : 0;
            }
            assertThat(duplicates).as("rounds (of 12) where P got O's exit signal twice").isZero();
        }
    }

    /** One round: the number of O's exit signals P received. */
    private int round(Verdant rt, RuntimeCore core) throws Exception {
        GreenHandle<Object> o = rt.spawn(() -> {
            Green.receive();
            throw new IllegalStateException("O ends");
        });
        Pid oPid = o.pid();
        GreenThread<?> og = core.lookup(oPid);
        assertThat(og).isNotNull();
        CountDownLatch linked = new CountDownLatch(1);
        AtomicReference<GreenThread<?>> pg = new AtomicReference<>();
        GreenHandle<Integer> p = rt.spawn(() -> {
            pg.set(GreenThread.current());
            Green.trapExits(true);
            assertThat(Green.link(oPid)).isTrue();
            linked.countDown();
            Green.receive(String.class); // "go"
            Green.link(oPid); // again: O is ending meanwhile
            try {
                o.join(Duration.ofSeconds(20));
            } catch (GreenFailedException expected) {
                // O ends by throwing
            }
            Thread.sleep(50); // O's exited() delivers after its status is final
            int n = 0;
            for (Optional<Object> m; (m = Green.tryReceive()).isPresent(); ) {
                if (m.get() instanceof Signal.Failure f && f.pid().equals(oPid)) {
                    n++;
                }
            }
            return n;
        });
        assertThat(linked.await(20, TimeUnit.SECONDS)).isTrue();
        ActorCell oc = ActorCell.of(og);
        synchronized (oc) {
            Green.send(p.pid(), "go");
            awaitBlocked(pg.get().vthread()); // P in ActorCell.link, waiting for O's cell
            Green.send(oPid, "end");
            awaitBlocked(og.vthread()); // O in ActorCell.exited, waiting for its own cell
        }
        return p.join(Duration.ofSeconds(30));
    }

    private static void awaitBlocked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.getState() != Thread.State.BLOCKED) {
            assertThat(System.nanoTime()).as("%s blocked on the cell lock", t).isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
