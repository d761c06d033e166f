package io.verdant;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run by {@link JdkPollersTest} in a fresh JVM: starts the JVM's first runtime
 * from a thread with a plugin's context class loader and an inheritable thread
 * local whose childValue counts the copies made of it. Starting a runtime makes
 * only threads of Verdant's and the JDK's own, which serve the whole JVM: they
 * must not copy the starter's inheritable thread locals (a childValue that
 * threw failed Verdant.start) nor keep its loader once the runtime is closed.
 * Prints {@code copies-made-by-start <n> loader-collected <bool>}.
 */
public final class PollerInitContextProbe {
    private static final AtomicInteger COPIES = new AtomicInteger();
    private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>() {
        @Override
        protected String childValue(String parent) {
            COPIES.incrementAndGet();
            return parent;
        }
    };

    private PollerInitContextProbe() {
    }

    public static void main(String[] args) throws Exception {
        WeakReference<ClassLoader> pluginRef = new WeakReference<>(new URLClassLoader(new URL[0],
                Thread.currentThread().getContextClassLoader()));
        int copies = startAndClose(pluginRef);
        // The JDK's poller start-up threads end once they ran; give them a moment.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pluginRef.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        System.out.println("copies-made-by-start " + copies + " loader-collected " + (pluginRef.get() == null));
    }

    /** In a frame of its own: nothing of the runtime or the loader stays in main's locals. */
    private static int startAndClose(WeakReference<ClassLoader> pluginRef) {
        Thread me = Thread.currentThread();
        ClassLoader own = me.getContextClassLoader();
        REQUEST.set("request");
        me.setContextClassLoader(pluginRef.get());
        Verdant rt = Verdant.start(Config.builder().workers(1).name("poller-ctx").build());
        try {
            return COPIES.get();
        } finally {
            rt.close();
            me.setContextClassLoader(own);
            REQUEST.remove();
        }
    }
}
