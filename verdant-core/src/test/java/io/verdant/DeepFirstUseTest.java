package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM's first use of a Verdant API near the end of a green thread's stack (a
 * runaway recursion) leaves that API working for everyone afterwards: no
 * Verdant class is left erroneous by a StackOverflowError in its static
 * initialiser. Each case runs {@link DeepFirstUseProbe} in a fresh JVM.
 */
@Timeout(120)
class DeepFirstUseTest {

    @Test
    void aFirstNewMutexDeepInAStackLeavesMutexUsable() throws Exception {
        assertWorksAfterDeepFirstUse("new-mutex");
    }

    @Test
    void aFirstToCompletableFutureDeepInAStackLeavesItUsable() throws Exception {
        assertWorksAfterDeepFirstUse("completable");
    }

    @Test
    void aFirstStringConcatenationDeepInAStackLeavesItsSiteUsable() throws Exception {
        // CancelToken.toString concatenates: compiled to invokedynamic, a failed bootstrap failed the site for good.
        assertWorksAfterDeepFirstUse("token-string");
    }

    @Test
    void aFirstGreenThreadLogRecordDeepInAStackLeavesLaterRecordsWritten() throws Exception {
        assertWorksAfterDeepFirstUse("green-log-writer");
    }

    @Test
    void aFirstGreenThreadLogRecordDeepInAStackLeavesLoggingUsable() throws Exception {
        assertWorksAfterDeepFirstUse("green-log");
    }

    @Test
    void aFirstChannelDeepInAStackLeavesChannelsUsableWhenTheClassesWereLoadedAhead() throws Exception {
        assertWorksAfterDeepFirstUse("new-channel", "-Dprobe.preload=true");
    }

    @Test
    void aFirstChannelWaitDeepInAStackLeavesWaitsUsableWhenTheClassesWereLoadedAhead() throws Exception {
        assertWorksAfterDeepFirstUse("channel-wait", "-Dprobe.preload=true");
    }

    @Test
    void aFirstSupervisorDeepInAStackLeavesSupervisorsUsableWhenTheClassesWereLoadedAhead() throws Exception {
        assertWorksAfterDeepFirstUse("supervisor-builder", "-Dprobe.preload=true");
    }

    @Test
    void aFirstSelectThatTimesOutDeepInAStackLeavesSelectsUsable() throws Exception {
        // From the deepest frame up: the select's result class (SelectResult.TIMED_OUT) was first
        // initialised in the select's wait, where little stack is left (SelectStackOverflowTest).
        assertWorksAfterDeepFirstUse("select-timeout", "-Dprobe.nearest=1", "-Dprobe.preload=true");
    }

    /** Runs the probe for {@code api} with {@code jvmArgs}; it must find the API working afterwards. */
    private static void assertWorksAfterDeepFirstUse(String api, String... jvmArgs) throws Exception {
        String[] args = java.util.Arrays.copyOf(jvmArgs, jvmArgs.length + 1);
        args[jvmArgs.length] = "-Dprobe.api=" + api;
        String out = JdkPollersTest.probe(DeepFirstUseProbe.class, args);
        assertThat(out).as("probe output").contains(api + " after-overflow ok");
    }
}
