package acme.loops;

import com.sun.tools.attach.VirtualMachine;
import io.verdant.agent.VerdantAgent;

/**
 * Child-JVM main: runs a loop class, then attaches the agent (jar in args[0]) to
 * its own JVM, which retransforms the already-loaded class, and runs it again.
 */
public final class AttachMain {
    private AttachMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("before=" + new NamesMain.Inner().run() + " " + VerdantAgent.stats());
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(ProcessHandle.current().pid()));
        try {
            vm.loadAgent(args[0], "include=acme.loops.NamesMain*");
        } finally {
            vm.detach();
        }
        System.out.println("after=" + new NamesMain.Inner().run() + " " + VerdantAgent.stats());
    }
}
