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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Green#spawn(Runnable)} stores the Runnable itself as the thread's
 * body (no adapter Callable, so no adapter frame on a parked stack): the body
 * is what runs, its thread ends with a null result or its failure, and a body
 * that is both a Runnable and a Callable still has its run() called.
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
        List<String> frames = rt.run(() -> {
            AtomicReference<Thread> self = new AtomicReference<>();
            GreenHandle<Void> h = Green.spawn(() -> {
                self.set(Thread.currentThread());
                Green.receive();
            });
            while (h.state() != GreenState.WAITING) {
                Green.sleep(Duration.ofMillis(1));
            }
            List<String> fs = new ArrayList<>();
            for (StackTraceElement e : self.get().getStackTrace()) {
                fs.add(e.getClassName() + "." + e.getMethodName());
            }
            Green.send(h.pid(), "go");
            h.join();
            return fs;
        });
        int run = frames.indexOf("io.verdant.internal.GreenThread.run");
        assertThat(run).as("frames %s", frames).isPositive();
        String body = frames.get(run - 1);
        assertThat(body).as("frames %s", frames).startsWith(RunnableBodyTest.class.getName() + ".lambda$");
        assertThat(frames).as("frames %s", frames).noneMatch(f -> f.startsWith("io.verdant.Green.lambda$spawn"));
    }
}
