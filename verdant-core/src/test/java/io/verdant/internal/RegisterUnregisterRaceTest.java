package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.NameTakenException;
import io.verdant.Pid;
import io.verdant.Registry;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registry.register racing Registry.unregister of the same name on a long-lived
 * holder: once the name is released, nothing of the registration is left on
 * the holder. Before the fix, an unregister that removed the name between
 * register's insertion and its watch of the holder left the registration's
 * exit listener in the holder's monitors for as long as the holder lived (one
 * leaked entry per lost race).
 */
@Timeout(60)
class RegisterUnregisterRaceTest {

    @SuppressWarnings("unchecked")
    private static int monitorsOf(GreenThread<?> g) throws Exception {
        ActorCell c = g.cellOrNull();
        if (c == null) {
            return 0;
        }
        Field f = ActorCell.class.getDeclaredField("monitors");
        f.setAccessible(true);
        synchronized (c) {
            List<Object> l = (List<Object>) f.get(c);
            return l == null ? 0 : l.size();
        }
    }

    @Test
    void anUnregisterRacingARegisterLeavesNoListenerOnTheHolder() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("register-unregister").build())) {
            GreenHandle<Object> holder = rt.spawn(() -> Green.receive(Duration.ofSeconds(50)));
            Pid pid = holder.pid();
            GreenThread<?> g = (GreenThread<?>) holder;
            Registry reg = rt.registry();
            int rounds = 2_000_000;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            CyclicBarrier start = new CyclicBarrier(2);
            Thread unregisterer = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < rounds && System.nanoTime() < deadline; i++) {
                        // Released as soon as it shows: the register that put it may not have watched yet.
                        while (reg.whereis("n").isEmpty() && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        reg.unregister("n");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                start.await();
                for (int i = 0; i < rounds && System.nanoTime() < deadline; i++) {
                    try {
                        reg.register("n", pid);
                    } catch (NameTakenException taken) {
                        // the other thread has not released it yet
                    }
                }
            } finally {
                unregisterer.join();
            }
            reg.unregister("n");
            assertThat(reg.whereis("n")).isEmpty();
            assertThat(monitorsOf(g)).as("registration listeners left on the holder after its name was released")
                    .isZero();
            Green.send(pid, "stop");
            holder.join();
        }
    }
}
