package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina dining philosophers: 20 philosophers ask an arbitrator for forks, 50,000 meals each (Savina's 10,000 x 5), with the denial count per system.
 * On every {@link Savina#SYSTEMS system} at 1 and 2 workers, with the same
 * answer check ({@link SavinaPhilosophers}). Runs on the harness ({@link SavinaComparison}):
 * median milliseconds per run of 5 measured rounds after 2 warm-ups, with CPU
 * time. Sizes: {@code -Dbench.philosophers.actors} and {@code -Dbench.philosophers.rounds} (tiny under {@code bench.smoke}).
 */
public final class PhilosophersComparison extends SavinaComparison {
    @Override
    public String name() {
        return "philosophers";
    }

    @Override
    public String description() {
        return "Savina dining philosophers, 20 philosophers and an arbitrator, 50,000 meals each; verdant vs verdant-event vs pekko vs vt-default (ArrayBlockingQueue mailboxes), workers 1 and 2; checks 20N meals, prints the arbitrator's denials";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.PHILOSOPHERS, size("bench.philosophers.actors", 20), size("bench.philosophers.rounds", 50_000)));
    }
}
