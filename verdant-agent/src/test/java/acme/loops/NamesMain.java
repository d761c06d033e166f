package acme.loops;

import acme.loops.hot.HotLoop;

/** Child-JVM main for the include/exclude test: touches a few classes, prints their results. */
public final class NamesMain {
    private NamesMain() {
    }

    public static void main(String[] args) {
        System.out.println("hot=" + HotLoop.sum(1000));
        System.out.println("battery=" + Battery.collatzSteps(100));
        System.out.println("inner=" + new Inner().run());
        System.out.println("STATS " + io.verdant.agent.VerdantAgent.stats());
    }

    static final class Inner {
        int run() {
            int s = 0;
            for (int i = 0; i < 10; i++) {
                s += i;
            }
            return s;
        }
    }
}
