package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Green.blocking: the caller gets what the work threw, whatever its type. */
@Timeout(30)
class BlockingOutcomeTest {

    /** A Throwable that is neither an Exception nor an Error (thrown sneakily, as Kotlin or Lombok code can). */
    static final class Odd extends Throwable {
        private static final long serialVersionUID = 1L;

        Odd() {
            super("odd");
        }
    }

    @SuppressWarnings("unchecked")
    private static <X extends Throwable> RuntimeException sneaky(Throwable t) throws X {
        throw (X) t;
    }

    @Test
    void aThrowableThatIsNeitherExceptionNorErrorReachesTheCaller() {
        Odd odd = new Odd();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).blockingThreads(1).name("blocking-odd").build())) {
            Object seen = rt.run(() -> {
                try {
                    return Green.blocking(() -> {
                        throw sneaky(odd);
                    });
                } catch (Throwable t) {
                    return t;
                }
            });
            assertThat(seen).isSameAs(odd);
        }
    }
}
