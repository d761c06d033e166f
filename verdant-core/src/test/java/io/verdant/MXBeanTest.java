package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/** The opt-in runtime MXBean, through the platform MBean server. */
@Timeout(60)
class MXBeanTest {
    @Test
    void attributesAndOperationsAreReadableAndTheBeanLeavesOnClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.verdant:type=Runtime,name=\"mx-test\"");
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mx-test").jmx(true).build())) {
            rt.run(() -> Green.spawn(() -> 1).join());
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(server.getAttribute(name, "Spawned")).isEqualTo(2L);
            assertThat(server.getAttribute(name, "Exited")).isEqualTo(2L);
            assertThat(server.getAttribute(name, "Carriers")).isEqualTo(2);
            assertThat((int[]) server.getAttribute(name, "LocalQueueDepths")).hasSize(2);
            VerdantRuntimeMXBean proxy = JMX.newMXBeanProxy(server, name, VerdantRuntimeMXBean.class);
            assertThat(proxy.getName()).isEqualTo("mx-test");
            assertThat(proxy.getPolls()).isGreaterThanOrEqualTo(2);
            assertThat((String) server.invoke(name, "dump", new Object[] {false}, new String[] {"boolean"}))
                    .startsWith("Verdant runtime 'mx-test'");
            assertThat(proxy.dumpJson()).contains("\"verdantDump\"");
        }
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void noBeanWithoutOptIn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("mx-off").build())) {
            assertThat(ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(new ObjectName("io.verdant:type=Runtime,name=\"" + rt.name() + "\""))).isFalse();
        }
    }
}
