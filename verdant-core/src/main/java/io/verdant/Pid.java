package io.verdant;

/**
 * A process identifier: the green thread in slot {@code index} of runtime
 * {@code runtimeId}, in the slot's {@code generation}. Slots are reused with a
 * new generation, so a pid that outlived its thread never names another one:
 * {@link Verdant#isAlive(Pid)} and every lookup report it as dead.
 *
 * <p>Pids are values: compare them with {@code equals}. Printed as
 * {@code <runtimeId.index.generation>}, after Erlang.
 *
 * @param runtimeId the runtime that spawned the green thread
 * @param index the slot in that runtime's pid table
 * @param generation the slot's generation when the thread was spawned
 */
public record Pid(long runtimeId, int index, int generation) {
    @Override
    public String toString() {
        return "<" + runtimeId + "." + index + "." + generation + ">";
    }
}
