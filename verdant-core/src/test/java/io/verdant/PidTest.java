package io.verdant;

import io.verdant.internal.Pids;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class PidTest {

    @Test
    void aPidIsAliveWhileItsThreadRunsAndStaleAfter() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("pids").build())) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            GreenHandle<Pid> h = rt.spawn(() -> {
                release.await();
                return Green.self();
            });
            Pid pid = h.pid();
            assertThat(rt.isAlive(pid)).isTrue();
            assertThat(rt.handle(pid)).containsSame(h);
            release.countDown();
            assertThat(h.join()).isEqualTo(pid);
            assertThat(rt.isAlive(pid)).isFalse();
            assertThat(rt.handle(pid)).isEmpty();
        }
    }

    @Test
    void slotsAreReusedWithANewGenerationAndOldPidsStayDead() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("reuse").build())) {
            Pid first = rt.spawn(() -> 1).pid();
            rt.handle(first).ifPresent(GreenHandle::join);
            // Spawn until the first pid's slot is reused. Threads end on the carrier, whose
            // free indices stay in its own cache (PidTable: up to 256) until it spills the older
            // half to the pool this platform thread allocates from: a few hundred spawns at most.
            Pid reused = null;
            Set<Integer> indices = new HashSet<>();
            for (int i = 0; i < 2_000 && reused == null; i++) {
                GreenHandle<Integer> h = rt.spawn(() -> 2);
                h.join();
                indices.add(Pids.index(h.pid()));
                if (Pids.index(h.pid()) == Pids.index(first)) {
                    reused = h.pid();
                }
            }
            assertThat(reused).as("slot of %s reused", first).isNotNull();
            assertThat(Pids.generation(reused)).isGreaterThan(Pids.generation(first));
            assertThat(reused).isNotEqualTo(first);
            GreenHandle<Object> live = rt.spawn(() -> {
                java.util.concurrent.locks.LockSupport.park();
                return null;
            });
            // A stale pid naming the slot of a live thread is still dead.
            Pid stale = Pids.of(Pids.runtimeId(live.pid()), Pids.index(live.pid()), Pids.generation(live.pid()) - 1);
            assertThat(rt.isAlive(live.pid())).isTrue();
            assertThat(rt.isAlive(stale)).isFalse();
            assertThat(rt.isAlive(Pids.of(Pids.runtimeId(live.pid()), 1_000_000, 0))).isFalse();
            assertThat(rt.isAlive(Pids.of(Pids.runtimeId(live.pid()), -1, 0))).isFalse();
        }
    }

    @Test
    void twoRuntimesAreIsolated() {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("iso-a").build());
             Verdant b = Verdant.start(Config.builder().workers(1).name("iso-b").build())) {
            GreenHandle<String> ha = a.spawn(() -> Thread.currentThread().toString());
            GreenHandle<String> hb = b.spawn(() -> Thread.currentThread().toString());
            // A virtual thread's toString names the carrier it is mounted on.
            assertThat(ha.join()).contains("iso-a-carrier-");
            assertThat(hb.join()).contains("iso-b-carrier-");
            Pid pa = a.spawn(() -> {
                java.util.concurrent.locks.LockSupport.park();
                return 0;
            }).pid();
            assertThat(a.isAlive(pa)).isTrue();
            assertThat(b.isAlive(pa)).as("a pid of runtime a means nothing to runtime b").isFalse();
            assertThat(Pids.runtimeId(pa)).isNotEqualTo(Pids.runtimeId(hb.pid()));
            // A green thread of one runtime can use another runtime.
            assertThat(a.run(() -> b.run(() -> Green.runtime().name()))).isEqualTo("iso-b");
        }
    }
}
