package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread's uncaught-exception handler, as libraries use it: code that
 * cannot throw an error to anyone (RxJava's undeliverable errors, Kotlin's
 * unhandled coroutine exceptions) hands it to
 * {@code Thread.currentThread().getUncaughtExceptionHandler()}. For a thread
 * with no handler of its own the JDK answers the thread's group, which calls
 * the default handler; a green thread's handler must do the same.
 */
@Timeout(60)
class UncaughtExceptionHandlerTest {
    @Test
    void anExceptionHandedToTheCurrentThreadsHandlerReachesTheDefaultHandler() throws Exception {
        AtomicReference<Thread> seenThread = new AtomicReference<>();
        AtomicReference<Throwable> seenFailure = new AtomicReference<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            seenThread.set(t);
            seenFailure.set(e);
        });
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("ueh").build())) {
            IllegalStateException undeliverable = new IllegalStateException("undeliverable");
            GreenHandle<Thread> h = rt.spawn(() -> {
                Thread me = Thread.currentThread();
                me.getUncaughtExceptionHandler().uncaughtException(me, undeliverable);
                return me;
            });
            Thread green = h.join(Duration.ofSeconds(20));
            assertThat(seenFailure.get()).as("the default handler got the exception").isSameAs(undeliverable);
            assertThat(seenThread.get()).isSameAs(green);
            assertThat(h.state()).as("the green thread went on and ended normally").isEqualTo(GreenState.SUCCEEDED);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }
}
