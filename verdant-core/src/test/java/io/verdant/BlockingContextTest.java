package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread context a {@code Green.blocking} call's work sees. The pool's
 * platform threads are made on demand by whichever green thread's call needs
 * one, and then serve every later call: such a thread must not carry the
 * first caller's inheritable thread locals or context class loader into the
 * work of later, unrelated callers.
 */
@Timeout(60)
class BlockingContextTest {
    private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>();

    @Test
    void theWorkSeesItsCallersContextClassLoaderAndNoEarlierCallersInheritableLocals() throws Exception {
        ClassLoader first = new ClassLoader(getClass().getClassLoader()) { };
        ClassLoader second = new ClassLoader(getClass().getClassLoader()) { };
        // One pool thread: the second call runs on the thread the first call made.
        try (Verdant rt = Verdant.start(Config.builder().workers(1).blockingThreads(1).name("blocking-ctx").build())) {
            GreenHandle<String> a = rt.spawn(() -> {
                REQUEST.set("request-a");
                Thread.currentThread().setContextClassLoader(first);
                return Green.blocking(BlockingContextTest::context);
            });
            assertThat(a.join(Duration.ofSeconds(20))).as("the work runs with its caller's loader").isEqualTo("null first");
            GreenHandle<String> b = rt.spawn(() -> {
                Thread.currentThread().setContextClassLoader(second);
                return Green.blocking(BlockingContextTest::context);
            });
            String seen = b.join(Duration.ofSeconds(20));
            assertThat(seen).as("the second caller's work: its own loader, not the first caller's request")
                    .isEqualTo("null second");
        }
    }

    private static String context() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return REQUEST.get() + " " + (l == null ? "none" : l.getClass().getName().endsWith("$1") ? "first"
                : l.getClass().getName().endsWith("$2") ? "second" : "other");
    }
}
