package io.verdant.unload;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Main of the child JVMs of {@link ClassLoaderUnloadTest}: loads Verdant
 * (target/classes) and {@link UnloadDriver} in a class loader of their own whose
 * parent is the platform loader, as an app server or plugin host does per
 * deployment, runs the driver, closes the loader, and prints which threads the
 * run left alive and whether the loader was collected.
 * {@code -Dprobe.jfr=true} keeps a JFR recording running throughout;
 * {@code -Dprobe.socketsFirst=true} uses a socket from a default virtual thread
 * before the deployment (a server that already serves, so the JDK's pollers
 * already run on its default scheduler); {@code -Dprobe.deployments=n} deploys
 * n times, one loader after the other. Exit 0 unless the probe itself broke.
 */
public final class UnloadProbe {
    private UnloadProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        if (Boolean.getBoolean("probe.socketsFirst")) {
            Thread t = Thread.ofVirtual().start(UnloadProbe::echoOnce);
            t.join();
        }
        Object recording = Boolean.getBoolean("probe.jfr") ? startRecording() : null;
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        for (int i = 0; i < Integer.getInteger("probe.deployments", 1); i++) {
            loaders.add(runInOwnLoader(target));
        }
        System.out.println("threads left: " + threadsLeft(before, 5_000));
        boolean all = true;
        for (WeakReference<ClassLoader> loader : loaders) {
            all &= collected(loader, 10_000);
        }
        System.out.println("collected: " + all);
        if (recording != null) {
            ((AutoCloseable) recording).close();
        }
        System.out.println("probe done");
        System.exit(0);
    }

    private static Object startRecording() {
        jdk.jfr.Recording r = new jdk.jfr.Recording();
        r.enable("io.verdant.RuntimeStatistics").withPeriod(java.time.Duration.ofMillis(100));
        r.enable("io.verdant.DeadLetter");
        r.start();
        return r;
    }

    /** Runs UnloadDriver in a fresh loader, closes the loader, returns a weak reference to it. */
    private static WeakReference<ClassLoader> runInOwnLoader(Path target) throws Exception {
        URL[] urls = {target.resolve("classes").toUri().toURL(), target.resolve("test-classes").toUri().toURL()};
        try (URLClassLoader child = new URLClassLoader("unload-child", urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> driver = child.loadClass("io.verdant.unload.UnloadDriver"); // by name: none of it in this loader
            if (driver.getClassLoader() != child) {
                throw new AssertionError("the driver was not loaded by the child loader");
            }
            @SuppressWarnings("unchecked")
            Callable<String> call = (Callable<String>) driver.getConstructor().newInstance();
            Thread self = Thread.currentThread();
            ClassLoader context = self.getContextClassLoader();
            self.setContextClassLoader(child); // as a server does while it runs a deployment's code
            try {
                System.out.println("driver: " + call.call());
            } finally {
                self.setContextClassLoader(context);
            }
            return new WeakReference<>(child);
        }
    }

    /** Alive threads not in {@code before} and not the JDK's, once none is left or {@code millis} have passed. */
    private static List<String> threadsLeft(Set<Thread> before, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        for (;;) {
            List<String> left = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && !before.contains(t) && !jdkOwned(t.getName())) {
                    left.add(t.getName());
                }
            }
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            Thread.sleep(20); // polling for threads to end: nothing to wait on from outside
        }
    }

    /**
     * Threads the JDK starts on first use of a feature and keeps for the life of
     * the JVM, whoever used it: the socket pollers, the timer of virtual threads'
     * timed parks and their unblocker, JFR's and JMX's own threads; and the
     * carriers of the JDK's default scheduler (its pool ends them when idle),
     * where the sub-pollers run while no runtime hosts them.
     */
    private static boolean jdkOwned(String name) {
        return name.equals("MasterPoller") || name.equals("Read-Poller") || name.equals("Write-Poller")
                || name.startsWith("ForkJoinPool-") && name.contains("-worker-")
                || name.equals("VirtualThread-unparker") || name.equals("VirtualThread-unblocker")
                || name.startsWith("JFR ") || name.equals("Attach Listener") || name.startsWith("RMI ") || name.equals("Common-Cleaner");
    }

    /** True once {@code ref} is cleared, calling System.gc() between looks, for at most {@code millis}. */
    private static boolean collected(WeakReference<?> ref, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50); // reference processing runs after the collection: nothing to wait on
        }
        return ref.get() == null;
    }

    /** A socket round trip on default virtual threads: the JDK's pollers start on its default scheduler. */
    private static void echoOnce() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    out.write(in.read());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                c.getOutputStream().write(7);
                if (c.getInputStream().read() != 7) {
                    throw new IllegalStateException("echo");
                }
            }
            peer.join();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
