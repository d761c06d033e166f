package io.verdant.bench.actors;

import java.util.List;

/**
 * Savina bounded buffer: 40 producers and 40 consumers through a manager with a buffer of 50, 25,000 items per producer (Savina's 1,000 x 25: 1M items, about 4M messages).
 * On every {@link Savina#SYSTEMS system} at 1 and 2 workers, with the same
 * answer check ({@link SavinaBndBuffer}). Runs on the harness ({@link SavinaComparison}):
 * median milliseconds per run of 5 measured rounds after 2 warm-ups, with CPU
 * time. Sizes: {@code -Dbench.bndbuffer.actors} and {@code -Dbench.bndbuffer.items} (tiny under {@code bench.smoke}).
 */
public final class BndBufferComparison extends SavinaComparison {
    @Override
    public String name() {
        return "bndbuffer";
    }

    @Override
    public String description() {
        return "Savina bounded buffer, 40 producers and 40 consumers through a manager with a buffer of 50, 25,000 items per producer (1M items); verdant vs verdant-event vs pekko vs vt-default (ArrayBlockingQueue mailboxes), workers 1 and 2; checks the items' count, sum and sum of squares";
    }

    @Override
    List<Savina.Params> params() {
        return List.of(new Savina.Params(Savina.Kind.BNDBUFFER, size("bench.bndbuffer.actors", 40), size("bench.bndbuffer.items", 25_000)));
    }
}
