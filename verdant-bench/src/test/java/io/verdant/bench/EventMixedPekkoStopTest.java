package io.verdant.bench;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.actor.LocalActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * event-mixed's Pekko round returns only once its 1,000 actors have stopped:
 * its entries share the runner's JVM with Verdant's, whose next round would
 * otherwise run beside Pekko stopping them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventMixedPekkoStopTest {
    @Test
    void pekkoRoundReturnsWithEveryActorStopped() throws Exception {
        try (EventMixedBench.PekkoMixed trial = new EventMixedBench.PekkoMixed(false)) {
            for (int round = 0; round < 2; round++) {
                assertThat(trial.run()).isPositive();
                assertThat(liveUserActors(trial.system)).as("actors still alive after round " + round).isZero();
            }
        }
    }

    /** The guardian's children that have not terminated yet (a terminated one may still be listed). */
    private static int liveUserActors(org.apache.pekko.actor.ActorSystem system) {
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
