package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.NameTakenException;
import io.verdant.Pid;
import io.verdant.Registry;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A name's holder that is ending: it emptied its pid slot (fault site
 * SLOT_EMPTIED) and has not yet written its status. Its pid is dead from then
 * on (isAlive false, a send is a dead letter, a monitor gets noproc), so the
 * registry no longer shows it either: whereis and names leave it out, and the
 * name may be registered to another thread. Before the fix the registry asked
 * the holder's status only, and in that window whereis still returned the
 * dead pid and register threw NameTakenException naming it.
 */
@Timeout(60)
class RegistryExitingHolderTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aHolderWhosePidNoLongerLooksUpHoldsNoName() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("registry-exiting").build())) {
            Registry reg = rt.registry();
            GreenHandle<Object> next = rt.spawn(() -> Green.receive(Duration.ofSeconds(30)));
            CountDownLatch end = new CountDownLatch(1);
            GreenHandle<Object> holder = rt.spawn(() -> {
                end.await();
                return null;
            });
            Pid pid = holder.pid();
            reg.register("svc", pid);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicReference<Boolean> alive = new AtomicReference<>();
            AtomicReference<Optional<Pid>> where = new AtomicReference<>();
            AtomicReference<Set<String>> names = new AtomicReference<>();
            AtomicReference<Throwable> registerFailure = new AtomicReference<>();
            AtomicReference<Throwable> hookFailure = new AtomicReference<>();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = GreenThread.current();
                if (site.equals("SLOT_EMPTIED") && g != null && g.pid().equals(pid) && armed.compareAndSet(true, false)) {
                    try {
                        alive.set(rt.isAlive(pid));
                        where.set(reg.whereis("svc"));
                        names.set(reg.names());
                        try {
                            reg.register("svc", next.pid());
                        } catch (NameTakenException e) {
                            registerFailure.set(e);
                        }
                    } catch (Throwable t) {
                        hookFailure.set(t);
                    }
                }
            });
            end.countDown();
            holder.join(Duration.ofSeconds(30));
            SchedulerTestAccess.atSites(null);

            assertThat(armed.get()).as("the holder reached SLOT_EMPTIED").isFalse();
            assertThat(hookFailure.get()).isNull();
            assertThat(alive.get()).as("the ending holder's pid").isFalse();
            assertThat(where.get()).as("whereis of its name").isEmpty();
            assertThat(names.get()).as("names").isEmpty();
            assertThat(registerFailure.get()).as("registering the name to another thread").isNull();
            assertThat(reg.whereis("svc")).as("the new holder keeps it after the old one's exit").contains(next.pid());
            Green.send(next.pid(), "stop");
            next.join(Duration.ofSeconds(30));
            assertThat(reg.names()).isEmpty();
        }
    }
}
