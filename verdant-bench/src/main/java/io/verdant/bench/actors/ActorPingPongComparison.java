package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina ping-pong, round trips between two actors, 40,000 and 1,000,000 pings: verdant, verdant-event, pekko and vt-default at 1 and 2 workers (see {@link Savina}).
 * Runs on the harness ({@link SavinaComparison}): median nanoseconds per op of 5 measured rounds after 2 warm-ups, with CPU time.
 */
public final class ActorPingPongComparison extends SavinaComparison {
    @Override
    public String name() {
        return "actor-pingpong";
    }

    @Override
    public String description() {
        return "Savina ping-pong, round trips between two actors, 40,000 and 1,000,000 pings; verdant vs verdant-event vs pekko vs vt-default (LinkedTransferQueue mailboxes), workers 1 and 2";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.PINGPONG, 2, size(40_000)), new Savina.Params(Savina.Kind.PINGPONG, 2, size(1_000_000)));
    }
}
