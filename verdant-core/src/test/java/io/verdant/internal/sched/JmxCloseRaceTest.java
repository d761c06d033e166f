package io.verdant.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.internal.Waits;
import io.verdant.internal.obs.Jmx;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A runtime started with the name of one that is closed, while that one's close has
 * marked it CLOSED and not yet finished, gets the name's MXBean. Before, the first
 * runtime unregistered its bean only after its CLOSED mark: the second found the
 * name taken, went without a bean, and the first then removed its own, so the name
 * had none while the second ran. The closer is held at Faults.CLOSED_MARKED (the
 * hook is JVM-global, so it holds only the test's closer thread).
 */
@Timeout(60)
class JmxCloseRaceTest {
    private static final String CLOSER = "jmx-close-race-closer";

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    @Test
    void aRuntimeStartedOnceTheFirstOfItsNameIsMarkedClosedGetsTheBean() throws Exception {
        String name = "jmx-close-race";
        ObjectName bean = new ObjectName(Jmx.objectName(name));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CountDownLatch marked = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        Faults.install((w, site) -> {
            if (site == Faults.Site.CLOSED_MARKED && Thread.currentThread().getName().equals(CLOSER)) {
                marked.countDown();
                Waits.uninterruptibly(goOn::await);
            }
        });
        Verdant first = Verdant.start(Config.builder().name(name).workers(1).jmx(true).build());
        assertThat(server.isRegistered(bean)).as("the first runtime's bean").isTrue();
        Thread closer = new Thread(first::close, CLOSER);
        Verdant second = null;
        try {
            closer.start();
            assertThat(marked.await(20, TimeUnit.SECONDS)).as("the first runtime marked CLOSED").isTrue();
            assertThat(first.isClosed()).isTrue();
            second = Verdant.start(Config.builder().name(name).workers(1).jmx(true).build());
            goOn.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(closer.isAlive()).as("the first runtime's close returned").isFalse();
            assertThat(server.isRegistered(bean)).as("the second runtime's bean, after the first's close").isTrue();
            assertThat(server.getAttribute(bean, "Name")).isEqualTo(name);
            second.close();
            assertThat(server.isRegistered(bean)).as("unregistered by the second runtime's close").isFalse();
        } finally {
            goOn.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(20));
            if (second != null) {
                second.close();
            }
        }
    }
}
