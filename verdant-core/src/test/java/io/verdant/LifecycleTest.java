package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class LifecycleTest {

    private static Set<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
    }

    @Test
    void closeStopsEveryCarrierAndTheTicker() {
        Verdant rt = Verdant.start(Config.builder().workers(3).name("lc-threads").build());
        assertThat(rt.run(() -> 1)).isEqualTo(1);
        assertThat(threadsNamed("lc-threads-")).contains("lc-threads-carrier-0", "lc-threads-carrier-1",
                "lc-threads-carrier-2", "lc-threads-ticker");
        rt.close();
        assertThat(threadsNamed("lc-threads-")).isEmpty();
        assertThat(rt.isClosed()).isTrue();
        rt.close(); // idempotent
    }

    @Test
    void closeInterruptsParkedGreenThreadsAndWaitsForThem() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("lc-interrupt").build());
        CountDownLatch sleeping = new CountDownLatch(1);
        AtomicBoolean cleanedUp = new AtomicBoolean();
        GreenHandle<Void> h = rt.spawn(() -> {
            try {
                sleeping.countDown();
                Green.sleep(Duration.ofHours(1));
            } finally {
                cleanedUp.set(true);
            }
        });
        assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();
        rt.close();
        assertThat(cleanedUp).isTrue();
        assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThat(rt.liveThreads()).isZero();
    }

    @Test
    void closeAbandonsThreadsThatIgnoreInterruptsAfterTheShutdownTimeout() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("lc-abandon")
                .shutdownTimeout(Duration.ofMillis(200)).build());
        CountDownLatch parked = new CountDownLatch(1);
        GreenHandle<Void> stubborn = rt.spawn(() -> {
            parked.countDown();
            while (true) {
                java.util.concurrent.locks.LockSupport.park(); // ignores interrupts
                Thread.interrupted();
            }
        });
        assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
        Pid pid = stubborn.pid();
        rt.close();
        assertThat(stubborn.isDone()).isTrue();
        assertThatThrownBy(stubborn::join).isInstanceOf(CancelledException.class).hasMessageContaining("closed");
        assertThat(rt.isAlive(pid)).isFalse();
        assertThat(threadsNamed("lc-abandon-")).isEmpty();
    }

    @Test
    void spawnAfterCloseFailsClearly() {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("lc-closed").build());
        rt.close();
        assertThatThrownBy(() -> rt.spawn(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lc-closed").hasMessageContaining("closed");
        assertThatThrownBy(() -> rt.run(() -> 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRuntimeCannotBeClosedFromItsOwnGreenThread() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("lc-self").build())) {
            AutoCloseable self = rt;   // closed from inside: must be refused
            assertThatThrownBy(() -> rt.run(() -> {
                self.close();
                return null;
            })).isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(rt.isClosed()).isFalse();
        }
    }

    @Test
    void oneShotRunStartsAndClosesItsRuntime() {
        String name = Verdant.run(Config.builder().workers(1).name("lc-oneshot").build(),
                () -> Green.runtime().name());
        assertThat(name).isEqualTo("lc-oneshot");
        assertThat(threadsNamed("lc-oneshot-")).isEmpty();
    }

    @Test
    void anIdleRuntimeParksAllItsThreads() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("lc-idle").build())) {
            rt.run(() -> 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Set<Thread.State> states;
            do {
                Thread.sleep(5);
                states = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("lc-idle-")).map(Thread::getState)
                        .collect(Collectors.toSet());
            } while (!states.equals(Set.of(Thread.State.WAITING)) && System.nanoTime() < deadline);
            assertThat(states).as("carriers and ticker all parked without timeout").containsExactly(Thread.State.WAITING);
        }
    }
}
