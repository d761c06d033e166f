package io.verdant.bench.actors;

import org.apache.pekko.actor.ActorSystem;

/** The Savina Pekko set-up for comparisons outside this package. */
public final class SavinaAccess {
    private SavinaAccess() {
    }

    /**
     * A Pekko actor system on a fork-join dispatcher of {@code workers} threads, default throughput.
     *
     * @param workers the dispatcher's parallelism
     * @return the system
     */
    public static ActorSystem pekko(int workers) {
        return Savina.pekko(workers);
    }
}
