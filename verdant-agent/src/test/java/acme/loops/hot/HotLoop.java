package acme.loops.hot;

/** Excluded by the include/exclude test: a loop that must stay uninstrumented. */
public final class HotLoop {
    private HotLoop() {
    }

    public static long sum(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += i;
        }
        return s;
    }
}
