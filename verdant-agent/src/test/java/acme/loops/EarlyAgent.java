package acme.loops;

import java.lang.instrument.Instrumentation;

/**
 * A java agent given before the Verdant agent: its premain loads (without
 * initializing) the class named by its argument, as an agent that uses
 * application classes would, so that class is loaded before the Verdant
 * agent's premain runs.
 */
public final class EarlyAgent {
    private EarlyAgent() {
    }

    public static void premain(String args, Instrumentation inst) throws ClassNotFoundException {
        Class.forName(args, false, ClassLoader.getSystemClassLoader());
    }
}
