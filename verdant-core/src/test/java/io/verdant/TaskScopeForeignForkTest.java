package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code TaskScope.fork} from a thread that is not one of the scope's runtime
 * (a platform thread, a green thread of another runtime) is accepted, as
 * {@code Scope.spawn}'s is: the child is a green thread of the scope's runtime,
 * under the scope's owner (its cancellation cancels the child), and join waits
 * for it and reports it like any other child (the documented contract).
 */
@Timeout(60)
class TaskScopeForeignForkTest {
    @Test
    void forksFromOutsideTheScopesRuntimeRunThereUnderTheOwner() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("scope-rt").build());
             Verdant other = Verdant.start(Config.builder().workers(1).name("other-rt").build())) {
            List<Object> results = rt.run(() -> {
                try (TaskScope<Object, List<Object>> scope = TaskScope.open()) {
                    scope.fork(() -> Green.runtime() == rt);
                    AtomicReference<Object> fromPlatform = new AtomicReference<>();
                    Thread platform = new Thread(() -> fromPlatform.set(scope.fork(() -> Green.runtime() == rt)));
                    platform.start();
                    platform.join(TimeUnit.SECONDS.toMillis(20));
                    assertThat(fromPlatform.get()).isInstanceOf(GreenHandle.class);
                    other.run(() -> scope.fork(() -> Green.runtime() == rt));
                    return scope.join();
                }
            });
            assertThat(results).containsExactly(true, true, true);

            // The owner's cancellation reaches a child forked from outside.
            CountDownLatch forked = new CountDownLatch(1);
            AtomicReference<GreenHandle<Object>> child = new AtomicReference<>();
            GreenHandle<Object> owner = rt.spawn(() -> {
                try (TaskScope<Object, List<Object>> scope = TaskScope.open()) {
                    Thread platform = new Thread(() -> {
                        child.set(scope.fork(() -> Green.receive()));
                        forked.countDown();
                    });
                    platform.start();
                    forked.await(); // a fork after join started is refused
                    return scope.join();
                }
            });
            assertThat(forked.await(20, TimeUnit.SECONDS)).isTrue();
            owner.cancel();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!child.get().isDone() && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(child.get().state()).isEqualTo(GreenState.FAILED);
            assertThat(child.get().exceptionNow()).isInstanceOf(CancelledException.class);
        }
    }
}
