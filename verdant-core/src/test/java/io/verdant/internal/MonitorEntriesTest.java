package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-lived green thread watched (or linked) by many others keeps no entry
 * per operation once the operation is undone: by demonitor or unlink, or by
 * the end of the thread that made it (as in Erlang, a monitor dies with its
 * watcher). Before, every watcher that ended without demonitoring left its
 * entry, and the ended thread, on the target for as long as the target lived.
 */
@Timeout(60)
class MonitorEntriesTest {
    private static final int N = 20_000;

    @Test
    void watchersThatEndLeaveNoMonitorOnTheirTarget() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("monitor-entries").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            GreenHandle<Object> target = rt.spawn(() -> Green.receive());
            Pid tPid = target.pid();
            GreenThread<?> tg = core.lookup(tPid);
            for (int i = 0; i < N; i++) {
                rt.spawn(() -> {
                    Green.monitor(tPid);
                    return null;
                }).join();
            }
            assertThat(ActorCell.of(tg).monitorCount()).as("monitors left on the target").isZero();
            Green.send(tPid, "stop");
            target.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void monitorDemonitorAndLinkUnlinkCyclesLeaveNothingOnEitherSide() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("monitor-cycles").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            GreenHandle<Object> target = rt.spawn(() -> Green.receive());
            Pid tPid = target.pid();
            GreenThread<?> tg = core.lookup(tPid);
            int[] counts = rt.run(() -> {
                for (int i = 0; i < N; i++) {
                    Green.monitor(tPid);
                    Green.demonitor(tPid);
                    Green.link(tPid);
                    Green.unlink(tPid);
                }
                ActorCell me = ActorCell.of(GreenThread.current());
                return new int[] {me.watchingCount(), me.linkCount()};
            });
            assertThat(counts).as("watching, links of the watcher").containsExactly(0, 0);
            assertThat(ActorCell.of(tg).monitorCount()).as("monitors on the target").isZero();
            assertThat(ActorCell.of(tg).linkCount()).as("links on the target").isZero();
            Green.send(tPid, "stop");
            target.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void linkedPeersThatEndLeaveNoLinkOnTheLongLivedThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("link-entries").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            GreenHandle<Object> target = rt.spawn(() -> {
                Green.trapExits(true);
                for (;;) {
                    Object m = Green.receive();
                    if ("stop".equals(m)) {
                        return null;
                    }
                }
            });
            Pid tPid = target.pid();
            GreenThread<?> tg = core.lookup(tPid);
            for (int i = 0; i < N; i++) {
                rt.spawn(() -> {
                    Green.link(tPid);
                    return null;
                }).join();
            }
            assertThat(ActorCell.of(tg).linkCount()).as("links left on the long-lived thread").isZero();
            Green.send(tPid, "stop");
            target.join(Duration.ofSeconds(10));
        }
    }
}
