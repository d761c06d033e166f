package io.verdant.bench.actors;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.actor.LocalActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Pekko round of pingpong, ring or counting returns only once its actors
 * have stopped, as the workloads' rounds do and as the other systems join
 * their threads: otherwise Pekko goes on stopping them (10,000 for the long
 * ring) beside the next system's measured round.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SavinaPekkoStopTest {
    @Test
    void ringRoundReturnsWithEveryActorStopped() throws Exception {
        assertNoActorLeftAfter(new Savina.Params(Savina.Kind.RING, 2_000, 10));
    }

    @Test
    void pingPongRoundReturnsWithEveryActorStopped() throws Exception {
        assertNoActorLeftAfter(new Savina.Params(Savina.Kind.PINGPONG, 2, 10));
    }

    @Test
    void countingRoundReturnsWithEveryActorStopped() throws Exception {
        assertNoActorLeftAfter(new Savina.Params(Savina.Kind.COUNTING, 2, 10));
    }

    private static void assertNoActorLeftAfter(Savina.Params p) throws Exception {
        ActorSystem system = Savina.pekko(1);
        try {
            for (int round = 0; round < 3; round++) {
                Savina.pekko(system, p);
                assertThat(liveUserActors(system)).as("actors still alive after round " + round).isZero();
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The guardian's children that have not terminated yet (a terminated one may still be listed). */
    private static int liveUserActors(ActorSystem system) {
        LocalActorRef guardian = (LocalActorRef) ((ExtendedActorSystem) system).guardian();
        int live = 0;
        scala.collection.Iterator<ActorRef> it = guardian.underlying().childrenRefs().children().iterator();
        while (it.hasNext()) {
            if (!((InternalActorRef) it.next()).isTerminated()) {
                live++;
            }
        }
        return live;
    }
}
