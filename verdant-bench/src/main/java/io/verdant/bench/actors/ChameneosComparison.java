package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina chameneos: 100 chameneos meet in pairs through a mall, 1,000,000 meetings (Savina's 200,000 x 5, to run about a second).
 * On every {@link Savina#SYSTEMS system} at 1 and 2 workers, with the same
 * answer check ({@link SavinaChameneos}). Runs on the harness ({@link SavinaComparison}):
 * median milliseconds per run of 5 measured rounds after 2 warm-ups, with CPU
 * time. Sizes: {@code -Dbench.chameneos.actors} and {@code -Dbench.chameneos.meetings} (tiny under {@code bench.smoke}).
 */
public final class ChameneosComparison extends SavinaComparison {
    @Override
    public String name() {
        return "chameneos";
    }

    @Override
    public String description() {
        return "Savina chameneos, 100 chameneos and a mall, 1,000,000 meetings; verdant vs verdant-event vs pekko vs vt-default (ArrayBlockingQueue mailboxes), workers 1 and 2; checks meetings sum = 2N";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.CHAMENEOS, size("bench.chameneos.actors", 100), size("bench.chameneos.meetings", 1_000_000)));
    }
}
