package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link TaskScope.Joiner#onFork} may count on, as its javadoc now says: it
 * runs on the forking thread once the child is started, so the child may be
 * running or even have ended already (the javadoc said "before it can end": a
 * child forked from a platform thread had ended by then 172 times in 1,000), but
 * always before {@code onComplete} for that child. And an {@code onFork} that
 * throws (the javadoc did not say): {@code fork} throws it and the scope stops,
 * cancelling the child it was called for.
 */
@Timeout(60)
class TaskScopeJoinerOnForkTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("joiner-on-fork").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void onForkComesBeforeOnCompleteForEveryChildEvenOneThatEndedFirst() {
        AtomicInteger completedBeforeOnFork = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        rt.run(() -> {
            for (int round = 0; round < 20; round++) {
                Set<GreenHandle<?>> forked = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
                TaskScope.Joiner<String, String> joiner = new TaskScope.Joiner<>() {
                    @Override
                    public boolean onFork(GreenHandle<? extends String> child) {
                        forked.add(child);
                        return false;
                    }

                    @Override
                    public boolean onComplete(GreenHandle<? extends String> child) {
                        completed.incrementAndGet();
                        if (!forked.contains(child)) {
                            completedBeforeOnFork.incrementAndGet();
                        }
                        return false;
                    }

                    @Override
                    public String result() {
                        return "joined";
                    }
                };
                try (TaskScope<String, String> scope = TaskScope.open(joiner)) {
                    // Forked from a platform thread: the children run on the carriers at once
                    // and often end before fork has called onFork.
                    Thread forker = Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 20; i++) {
                            scope.fork(() -> "child");
                        }
                    });
                    assertThat(forker.join(Duration.ofSeconds(20))).isTrue();
                    assertThat(scope.join()).isEqualTo("joined");
                }
            }
            return null;
        });
        assertThat(completed.get()).isEqualTo(20 * 20);
        assertThat(completedBeforeOnFork.get()).isZero();
    }

    @Test
    void anOnForkThatThrowsIsThrownByForkAndStopsTheScope() {
        RuntimeException bug = new IllegalStateException("onFork of a user's joiner");
        AtomicReference<GreenHandle<? extends String>> child = new AtomicReference<>();
        String joined = rt.run(() -> {
            try (TaskScope<String, String> scope = TaskScope.open(new TaskScope.Joiner<String, String>() {
                @Override
                public boolean onFork(GreenHandle<? extends String> c) {
                    child.set(c);
                    throw bug;
                }

                @Override
                public String result() {
                    return "joined";
                }
            })) {
                assertThatThrownBy(() -> scope.fork(() -> {
                    Green.sleep(Duration.ofMinutes(5)); // ended by the stop's cancel
                    return "never";
                })).isSameAs(bug);
                assertThat(scope.isStopped()).isTrue();
                return scope.join();
            }
        });
        assertThat(joined).isEqualTo("joined");
        assertThat(child.get().isDone()).isTrue();
        assertThat(child.get().exceptionNow()).isInstanceOf(CancelledException.class);
    }
}
