package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A virtual thread that is not a green thread, given a green thread's
 * uncaught-exception handler (code that hands the current thread's handler on
 * to the threads it starts, as some thread factories and frameworks do): it
 * must not act as that green thread. Verdant finds the current green thread
 * through that handler; it must check that the handler's green thread is the
 * calling thread's.
 */
@Timeout(60)
class CopiedUncaughtExceptionHandlerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aVirtualThreadGivenAGreenThreadsHandlerIsNotThatGreenThread() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("copied-ueh").build())) {
            GreenHandle<String> h = rt.spawn(() -> {
                Thread me = Thread.currentThread();
                AtomicReference<String> seen = new AtomicReference<>();
                Thread child = Thread.ofVirtual().uncaughtExceptionHandler(me.getUncaughtExceptionHandler())
                        .start(() -> {
                            String self;
                            try {
                                self = String.valueOf(Green.self());
                            } catch (IllegalStateException e) {
                                self = "not green";
                            }
                            seen.set(Green.isGreen() + " " + self);
                        });
                child.join();
                Green.send(Green.self(), "for me");
                Thread reader = Thread.ofVirtual().uncaughtExceptionHandler(me.getUncaughtExceptionHandler())
                        .start(() -> {
                            try {
                                Green.tryReceive();
                            } catch (IllegalStateException e) {
                                // not a green thread: it has no mailbox
                            }
                        });
                reader.join();
                return seen.get() + ", mailbox " + Green.tryReceive().orElse("emptied by another thread");
            });
            assertThat(h.join(WAIT)).isEqualTo("false not green, mailbox for me");
        }
    }
}
