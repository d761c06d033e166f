package acme.loops;

import io.verdant.agent.LoopInstrumenter;

import java.io.InputStream;

/**
 * Child-JVM main: uses {@link LoopInstrumenter} as a build-time tool would, as the
 * first thing the JVM does (no reflection, no lambda, no string concatenation
 * before it: any of those would initialize the JDK's constant descriptors first).
 */
public final class StandaloneMain {
    private StandaloneMain() {
    }

    public static void main(String[] args) throws Exception {
        LoopInstrumenter loops = new LoopInstrumenter(false);
        byte[] spin;
        try (InputStream in = StandaloneMain.class.getResourceAsStream("Spin.class")) {
            spin = in.readAllBytes();
        }
        System.out.println("safepoints=".concat(Integer.toString(loops.instrument(spin, null).safepoints())));
    }
}
