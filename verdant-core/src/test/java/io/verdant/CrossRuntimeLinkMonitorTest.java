package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green.monitor and Green.link with the pid of a live green thread of another runtime (a pid
 * Green.send and Green.call reach, and Spawner.link links across). They looked the pid up in
 * the caller's runtime only: monitor delivered an immediate Down saying the thread did not
 * exist, and link returned false ("not alive"), while the thread was running.
 */
@Timeout(60)
class CrossRuntimeLinkMonitorTest {

    @Test
    void monitorAndLinkReachAGreenThreadOfAnotherRuntime() {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("cross-a").build());
             Verdant b = Verdant.start(Config.builder().workers(1).name("cross-b").build())) {
            GreenHandle<String> monitored = b.spawn(() -> (String) Green.receive());
            GreenHandle<String> linked = b.spawn(() -> (String) Green.receive());
            Object[] seen = a.run(() -> {
                Green.monitor(monitored.pid());
                Green.trapExits(true);
                boolean isLinked = Green.link(linked.pid());
                Green.send(monitored.pid(), "done");
                Green.send(linked.pid(), "done");
                Signal.Down down = Green.receive(Signal.Down.class, Duration.ofSeconds(10));
                Signal.Exit exit = isLinked ? Green.receive(Signal.Exit.class, Duration.ofSeconds(10)) : null;
                return new Object[] {down, isLinked, exit};
            });
            Signal.Down down = (Signal.Down) seen[0];
            assertThat(down.pid()).isEqualTo(monitored.pid());
            assertThat(down.failure()).as("the Down of its normal end, not of a thread that never existed").isNull();
            assertThat(seen[1]).as("link found the live thread").isEqualTo(true);
            assertThat(((Signal.Exit) seen[2]).pid()).isEqualTo(linked.pid());
            assertThat(monitored.join(Duration.ofSeconds(10))).isEqualTo("done");
            assertThat(linked.join(Duration.ofSeconds(10))).isEqualTo("done");
        }
    }

    @Test
    void demonitorAndUnlinkReachAGreenThreadOfAnotherRuntime() {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("cross-c").build());
             Verdant b = Verdant.start(Config.builder().workers(1).name("cross-d").build())) {
            GreenHandle<String> other = b.spawn(() -> (String) Green.receive());
            Object[] seen = a.run(() -> {
                Green.monitor(other.pid());
                boolean removed = Green.demonitor(other.pid());
                Green.trapExits(true);
                Green.link(other.pid());
                Green.unlink(other.pid());
                Green.send(other.pid(), "done");
                return new Object[] {removed, other.join(Duration.ofSeconds(10)), Green.tryReceive()};
            });
            assertThat(seen[0]).as("demonitor removed the monitor").isEqualTo(true);
            assertThat(seen[1]).isEqualTo("done");
            assertThat(seen[2]).as("neither a Down nor an Exit arrived").isEqualTo(java.util.Optional.empty());
        }
    }
}
