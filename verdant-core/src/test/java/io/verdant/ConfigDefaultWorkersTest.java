package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default worker count is one per available processor; on a machine with
 * more processors than {@link Config#MAX_WORKERS} the defaults must still build.
 * Checked in a fresh JVM that claims 1100 processors.
 */
@Timeout(60)
class ConfigDefaultWorkersTest {

    @Test
    void theDefaultsBuildOnAMachineWithMoreProcessorsThanMaxWorkers() throws Exception {
        String out = JdkPollersTest.probe(Probe.class, "-XX:ActiveProcessorCount=1100");
        assertThat(out).as("probe output").contains("processors 1100 workers " + Config.MAX_WORKERS
                + " spares " + Config.MAX_WORKERS);
    }

    /** Prints the default workers and spare carriers, or what building the defaults threw. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                Config c = Config.defaults();
                System.out.println("processors " + Runtime.getRuntime().availableProcessors() + " workers "
                        + c.workers() + " spares " + c.maxSpareCarriers());
            } catch (RuntimeException e) {
                System.out.println("defaults threw " + e);
            }
        }
    }
}
