package io.verdant.test;

import io.verdant.Determinism;

import java.util.Objects;

/**
 * The schedule a {@link VerdantTest} method is running now. Declare a parameter
 * of this type (or of type {@link Determinism}) on the test method to receive
 * it; each schedule gets its own value.
 *
 * @param index the schedule's position in the exploration, from 0 (0 in a replay)
 * @param count how many schedules the exploration runs at most (1 in a replay)
 * @param determinism the settings of the schedule's deterministic runtime: its seed and strategy
 */
public record Schedule(int index, int count, Determinism determinism) {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if {@code index} is negative or not below {@code count}
     * @throws NullPointerException if {@code determinism} is null
     */
    public Schedule {
        Objects.requireNonNull(determinism, "determinism");
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("index must be in [0, count), was " + index + " of " + count);
        }
    }

    /**
     * The key that replays this schedule: {@code @VerdantTest(replay = key)} or
     * {@code -Dverdant.replay=key}.
     *
     * @return for example {@code v1:random:0x2A}
     */
    public String replayKey() {
        return determinism.replayKey();
    }
}
