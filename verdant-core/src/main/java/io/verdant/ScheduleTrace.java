package io.verdant;

/**
 * What a deterministic runtime has done so far: the schedule's fingerprint.
 * Two runs of the same program with the same {@link Determinism} have equal
 * traces; see {@link Verdant#trace()}.
 *
 * @param replayKey the one-line key naming the runtime's settings, for {@link Determinism#replay(String)}
 * @param hash a 64-bit hash of every step so far (which task ran, at which kind of
 *        scheduling point, at which virtual time)
 * @param steps how many times a green thread (or other task) was given the carrier
 * @param virtualNanos the virtual time, in nanoseconds since the runtime started
 * @param replayable false if the run admitted an event from outside the runtime
 *        under the lenient policy ({@link Determinism#lenient()}): a replay may diverge
 */
public record ScheduleTrace(String replayKey, long hash, long steps, long virtualNanos, boolean replayable) {
    /**
     * A trace of a run that admitted nothing from outside.
     *
     * @param replayKey the one-line key naming the runtime's settings
     * @param hash a 64-bit hash of every step so far
     * @param steps how many times a task was given the carrier
     * @param virtualNanos the virtual time, in nanoseconds since the runtime started
     */
    public ScheduleTrace(String replayKey, long hash, long steps, long virtualNanos) {
        this(replayKey, hash, steps, virtualNanos, true);
    }

    /**
     * A one-line summary with the hash in hex.
     *
     * @return for example {@code v1:random:0x2A hash=0x... steps=120 virtual=3600000000000ns}, with
     *         {@code (possibly not replayable)} appended when {@link #replayable()} is false
     */
    @Override
    public String toString() {
        return replayKey + " hash=0x" + Long.toHexString(hash) + " steps=" + steps + " virtual=" + virtualNanos + "ns"
                + (replayable ? "" : " (possibly not replayable: external events were admitted)");
    }
}
