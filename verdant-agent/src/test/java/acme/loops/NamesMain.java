package acme.loops;

import acme.loops.hot.HotLoop;

/** Child-JVM main for the include/exclude test: touches a few classes, prints their results. */
public final class NamesMain {
    private NamesMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("hot=" + HotLoop.sum(1000));
        System.out.println("battery=" + Battery.collatzSteps(100));
        System.out.println("inner=" + new Inner().run());
        System.out.println("STATS " + io.verdant.agent.VerdantAgent.stats());
        if (args.length > 0 && args[0].equals("linger")) {
            // Outlive the agent's start-up settling so its one summary line is logged.
            Thread.sleep(4_000);
        }
    }

    public static final class Inner {
        public int run() {
            int s = 0;
            for (int i = 0; i < 10; i++) {
                s += i;
            }
            return s;
        }
    }
}
