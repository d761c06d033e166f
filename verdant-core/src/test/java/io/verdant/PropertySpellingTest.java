package io.verdant;

import io.verdant.internal.sched.FlagsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented on/off system properties ({@code -Dverdant.metrics=false} and
 * the benchmarking switches) take their value whatever its case, as
 * {@code verdant.tickerBackoff}, {@code verdant.jmx} and {@code verdant.cpuTiming}
 * (read by {@link Boolean#getBoolean}) always did; so does
 * {@code -Dio.verdant.jdkPollers=default}. Checked in fresh JVMs: the switches
 * are read once, at class initialisation.
 */
@Timeout(60)
class PropertySpellingTest {
    private static final String[] SWITCHES = {"pollerHomes", "trace", "adaptiveSpin", "spawnYield",
            "spawnSignalBatch", "spinCredit", "metrics", "tickerBackoff"};

    @Test
    void falseInAnyCaseTurnsEachSwitchOff() throws Exception {
        String[] spellings = {"FALSE", "False", "false"};
        String[] jvmArgs = new String[SWITCHES.length];
        for (int i = 0; i < SWITCHES.length; i++) {
            jvmArgs[i] = "-Dverdant." + SWITCHES[i] + "=" + spellings[i % spellings.length];
        }
        String out = JdkPollersTest.probe(FlagsProbe.class, jvmArgs);
        for (String s : SWITCHES) {
            assertThat(out).as("probe output").contains(" " + s + "=false");
        }
    }

    @Test
    void jdkPollersDefaultInAnyCaseKeepsTheSubPollersOnTheDefaultScheduler() throws Exception {
        // "hosted 0 0": no sub-poller ran on either runtime's carriers (as with "default").
        assertThat(JdkPollersTest.probe(PollerHostProbe.class, "-Dio.verdant.jdkPollers=DEFAULT"))
                .as("probe output").contains("hosted 0 0 ok");
    }

    @Test
    void unsetSwitchesStayOn() throws Exception {
        String out = JdkPollersTest.probe(FlagsProbe.class);
        for (String s : SWITCHES) {
            assertThat(out).as("probe output").contains(" " + s + "=true");
        }
    }
}
