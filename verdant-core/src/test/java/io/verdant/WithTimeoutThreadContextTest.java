package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/ecosystem.md and Green.withTimeout's Javadoc say of the thread
 * context of a withTimeout body: it runs as a new green thread, so it sees none
 * of its caller's thread locals or ScopedValue bindings, only copies of its
 * inheritable thread locals (taken as it starts) and its context class loader;
 * what it sets in them is not seen by the caller.
 */
@Timeout(60)
class WithTimeoutThreadContextTest {
    private static final ThreadLocal<String> LOCAL = new ThreadLocal<>();
    private static final InheritableThreadLocal<String> INHERITED = new InheritableThreadLocal<>();
    private static final ScopedValue<String> USER = ScopedValue.newInstance();

    @Test
    void theBodySeesCopiesOfTheCallersInheritableContextOnly() {
        ClassLoader plugin = new ClassLoader(getClass().getClassLoader()) { };
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("timeout-ctx").build())) {
            String seen = rt.run(() -> {
                LOCAL.set("caller");
                INHERITED.set("caller");
                Thread.currentThread().setContextClassLoader(plugin);
                String inBody = ScopedValue.where(USER, "ada").call(() -> Green.withTimeout(Duration.ofSeconds(20), () -> {
                    String s = "local=" + LOCAL.get() + " inherited=" + INHERITED.get() + " bound=" + USER.isBound()
                            + " loader=" + (Thread.currentThread().getContextClassLoader() == plugin);
                    LOCAL.set("body");
                    INHERITED.set("body");
                    return s;
                }));
                return inBody + " | after: local=" + LOCAL.get() + " inherited=" + INHERITED.get();
            });
            assertThat(seen).isEqualTo("local=null inherited=caller bound=false loader=true"
                    + " | after: local=caller inherited=caller");
        }
    }
}
