package io.verdant.internal.vthread;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JDK version check that {@code Verdant.start} makes before touching the JDK-internal constructor. */
class VirtualThreadsTest {
    @Test
    void aNewerJdkFailsWithAMessageNamingTheSupportedVersion() {
        assertThatThrownBy(() -> VirtualThreads.checkJdk(Runtime.Version.parse("26.0.1"), false))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("Verdant supports JDK 25 (built and tested on it); this JVM is JDK 26.0.1.")
                .hasMessageContaining("-Dio.verdant.allowUnsupportedJdk=true");
    }

    @Test
    void anOlderJdkFailsTheSameWay() {
        assertThatThrownBy(() -> VirtualThreads.checkJdk(Runtime.Version.parse("24"), false))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Verdant supports JDK 25");
    }

    @Test
    void theSupportedJdkAndTheOverridePass() {
        assertThatCode(() -> VirtualThreads.checkJdk(Runtime.Version.parse("25.0.3+9-LTS"), false)).doesNotThrowAnyException();
        assertThatCode(() -> VirtualThreads.checkJdk(Runtime.Version.parse("27-ea"), true)).doesNotThrowAnyException();
    }

    @Test
    void theRunningJdkIsSupported() {
        assertThatCode(VirtualThreads::check).doesNotThrowAnyException();
    }
}
