package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Green#spawn(Runnable)}, {@link Spawner#spawn(Runnable)} and
 * {@link Verdant#spawn(Runnable)} store the Runnable itself as the thread's
 * body (no adapter Callable, so no adapter frame on a parked stack): the body
 * is what runs, its thread ends with a null result or its failure, a body
 * that is both a Runnable and a Callable still has its run() called, and a
 * Spawner's settings still apply.
 */
@Timeout(60)
class RunnableBodyTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("runnable-body").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aRunnableBodyRunsAndEndsWithANullResult() {
        AtomicInteger ran = new AtomicInteger();
        Runnable body = ran::incrementAndGet;
        Object result = rt.run(() -> Green.spawn(body).join());
        assertThat(result).isNull();
        assertThat(ran).hasValue(1);
    }

    @Test
    void aRunnableBodysFailureIsTheThreadsFailure() {
        IllegalStateException boom = new IllegalStateException("boom");
        GreenHandle<Void> h = rt.run(() -> Green.spawn(() -> {
            throw boom;
        }));
        assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class).hasCause(boom);
        assertThat(h.state()).isEqualTo(GreenState.FAILED);
    }

    /** Both interfaces: spawn(Runnable) must call run(), never call(). */
    static final class Both implements Runnable, Callable<String> {
        final AtomicReference<String> called = new AtomicReference<>();

        @Override
        public void run() {
            called.set("run");
        }

        @Override
        public String call() {
            called.set("call");
            return "call's result";
        }
    }

    @Test
    void aBodyThatIsAlsoACallableHasItsRunCalled() {
        Both both = new Both();
        Object result = rt.run(() -> Green.spawn((Runnable) both).join());
        assertThat(both.called).hasValue("run");
        assertThat(result).isNull();
    }

    /**
     * The parked stack of a receiver spawned with a Runnable: the body's frame sits
     * directly on GreenThread.run, with no frame of Green (the old adapter Callable)
     * between them.
     */
    @Test
    void noAdapterFrameBetweenTheThreadAndItsBody() {
        assertNoAdapterFrame(rt.run(() -> parkedStack(Green::spawn)));
    }

    /** The same through a Spawner (the HTTP example's handlers: a name per connection). */
    @Test
    void noAdapterFrameThroughASpawner() {
        assertNoAdapterFrame(rt.run(() -> parkedStack(body -> Green.spawner().name("conn-1").spawn(body))));
    }

    /** The same through the runtime, from a thread that is not green. */
    @Test
    void noAdapterFrameThroughTheRuntime() {
        assertNoAdapterFrame(parkedStack(rt::spawn));
    }

    @Test
    void aSpawnersSettingsApplyToARunnableBody() {
        AtomicReference<String> name = new AtomicReference<>();
        Both both = new Both();
        GreenHandle<Void> named = rt.spawner().name("body-", 7).priority(Priority.HIGH)
                .spawn(() -> name.set(Thread.currentThread().getName()));
        assertThat(named.join()).isNull();
        assertThat(name).hasValue("body-7");
        assertThat(rt.spawner().spawn((Runnable) both).join()).isNull();
        assertThat(both.called).hasValue("run");
        assertThatThrownBy(() -> rt.spawner().spawn((Runnable) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.spawn((Runnable) null)).isInstanceOf(NullPointerException.class);
    }

    /** Spawns a receiver with {@code spawn}, waits until it is parked, and returns its stack (class.method). */
    private static List<String> parkedStack(Function<Runnable, GreenHandle<Void>> spawn) {
        AtomicReference<Thread> self = new AtomicReference<>();
        java.util.concurrent.CountDownLatch parkedSoon = new java.util.concurrent.CountDownLatch(1);
        GreenHandle<Void> h = spawn.apply(() -> {
            self.set(Thread.currentThread());
            parkedSoon.countDown();
            Green.receive();
        });
        try {
            parkedSoon.await();
            while (h.state() != GreenState.WAITING) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        List<String> fs = new ArrayList<>();
        for (StackTraceElement e : self.get().getStackTrace()) {
            fs.add(e.getClassName() + "." + e.getMethodName());
        }
        Green.send(h.pid(), "go");
        h.join();
        return fs;
    }

    private static void assertNoAdapterFrame(List<String> frames) {
        int run = frames.indexOf("io.verdant.internal.GreenThread.run");
        assertThat(run).as("frames %s", frames).isPositive();
        String body = frames.get(run - 1);
        assertThat(body).as("frames %s", frames).startsWith(RunnableBodyTest.class.getName() + ".lambda$");
        assertThat(frames).as("frames %s", frames)
                .noneMatch(f -> f.startsWith("io.verdant.Green.lambda$spawn") || f.startsWith("io.verdant.Spawner.lambda$"));
    }
}
