package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class MisuseTest {

    @Test
    void greenOnlyOperationsOutsideAGreenThreadSaySo() {
        assertThatThrownBy(Green::yield).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Green.yield must be called from a green thread");
        assertThatThrownBy(() -> Green.sleep(Duration.ofMillis(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Green.sleep");
        assertThatThrownBy(Green::self).isInstanceOf(IllegalStateException.class).hasMessageContaining("Green.self");
        assertThatThrownBy(Green::priority).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Green.spawn(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Green.spawn");
        assertThatThrownBy(Green::spawner).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(Green::runtime).isInstanceOf(IllegalStateException.class);
        assertThat(Green.isGreen()).isFalse();
        Green.checkpoint(); // a cheap no-op anywhere
    }

    @Test
    void aPlainVirtualThreadIsNotGreen() throws Exception {
        boolean[] green = new boolean[1];
        Thread.ofVirtual().start(() -> green[0] = Green.isGreen()).join();
        assertThat(green[0]).isFalse();
    }

    @Test
    void invalidConfigFailsAtBuildNamingTheSetting() {
        assertThatThrownBy(() -> Config.builder().workers(0).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workers");
        assertThatThrownBy(() -> Config.builder().workers(-3).build()).hasMessageContaining("workers");
        assertThatThrownBy(() -> Config.builder().workers(100_000).build()).hasMessageContaining("workers");
        assertThatThrownBy(() -> Config.builder().stackSize(1024).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stackSize");
        assertThatThrownBy(() -> Config.builder().name(" ").build()).hasMessageContaining("name");
        assertThatThrownBy(() -> Config.builder().name(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> Config.builder().shutdownTimeout(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("shutdownTimeout");
        assertThat(Config.defaults().workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(Config.defaults().stackSize()).isEqualTo(16L << 20);
    }

    @Test
    void badArgumentsToRuntimeOperationsNameTheArgument() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("misuse").build())) {
            assertThatThrownBy(() -> rt.spawn((java.util.concurrent.Callable<Object>) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("body");
            assertThatThrownBy(() -> rt.isAlive(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("pid");
            GreenHandle<Integer> h = rt.spawn(() -> 1);
            assertThatThrownBy(() -> h.join(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout");
            assertThatThrownBy(() -> h.join(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout");
            assertThat(rt.run(() -> {
                try {
                    Green.sleep(Duration.ofMillis(-5));
                    return "no error";
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            })).contains("duration");
            assertThatThrownBy(() -> rt.spawner().priority(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("priority");
        }
    }

    @Test
    void aGreenThreadCannotJoinItself() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("self-join").build())) {
            GreenHandle<?>[] me = new GreenHandle<?>[1];
            java.util.concurrent.CountDownLatch published = new java.util.concurrent.CountDownLatch(1);
            GreenHandle<Object> h = rt.spawn(() -> {
                published.await();
                return me[0].join();
            });
            me[0] = h;
            published.countDown();
            assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void startWithoutTheOpensFlagNamesTheFlag() throws Exception {
        // A child JVM without --add-opens: Verdant.start must fail with the flag in the message.
        String javaCmd = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaCmd, "-cp", System.getProperty("java.class.path"),
                NoOpensProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("--add-opens java.base/java.lang=ALL-UNNAMED");
        assertThat(p.exitValue()).isEqualTo(3);
    }

    /** Main of the child JVM in {@link #startWithoutTheOpensFlagNamesTheFlag}. */
    public static final class NoOpensProbe {
        public static void main(String[] args) {
            try (Verdant rt = Verdant.start()) {
                System.out.println("started unexpectedly: " + rt);
                System.exit(0);
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }
}
