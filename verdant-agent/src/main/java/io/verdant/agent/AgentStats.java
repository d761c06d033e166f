package io.verdant.agent;

/**
 * What the agent has done so far in this JVM; a snapshot. Each class counts
 * once, when it is first instrumented (or fails to be): a later retransformation
 * or redefinition of it, which instruments it again, adds only to {@code nanos}.
 *
 * @param classes    classes instrumented (at least one checkpoint inserted)
 * @param methods    methods instrumented
 * @param safepoints checkpoint calls inserted
 * @param failed     classes that could not be instrumented and were left unchanged
 * @param nanos      total time spent parsing and rewriting selected classes
 */
public record AgentStats(long classes, long methods, long safepoints, long failed, long nanos) {
    @Override
    public String toString() {
        return "verdant-agent: instrumented " + classes + " classes, " + methods + " methods, "
                + safepoints + " safepoints; " + failed + " classes left unchanged (failed); "
                + String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6) + " spent instrumenting";
    }
}
