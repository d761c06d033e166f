package io.verdant.examples.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side of {@link EchoServerTest}'s many-connections test, run in
 * its own JVM so that client and server sockets do not share one process's
 * open-files limit. Protocol on stdin/stdout with the test:
 * <pre>
 *   client: opens every connection            -> prints "connected N"
 *   test:   checks the server holds N         -> sends "go"
 *   client: every connection echoes its bytes -> prints "verified BYTES"
 *   test:   checks                            -> sends "close"; client exits
 * </pre>
 * Any failure prints "error ..." and exits with status 1.
 */
public final class EchoLoadClient {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int bytesPerRound = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in));
        Socket[] sockets = new Socket[connections];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Bounded connect concurrency keeps the server's accept backlog from overflowing (SYN drops cost 1 s).
        Semaphore connecting = new Semaphore(256);
        CountDownLatch connected = new CountDownLatch(connections);
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        for (int i = 0; i < connections; i++) {
            int id = i;
            Thread.ofVirtual().start(() -> {
                try {
                    connecting.acquire();
                    try {
                        Socket s = new Socket();
                        s.connect(server, 20_000);
                        s.setSoTimeout(30_000);
                        s.setTcpNoDelay(true);
                        sockets[id] = s;
                    } finally {
                        connecting.release();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    connected.countDown();
                }
            });
        }
        connected.await();
        check(failure);
        System.out.println("connected " + connections);
        System.out.flush();
        expect(control, "go");
        AtomicLong verified = new AtomicLong();
        CountDownLatch done = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            int id = i;
            Thread.ofVirtual().start(() -> {
                try {
                    verified.addAndGet(roundTrips(sockets[id], id, bytesPerRound, rounds));
                } catch (Throwable t) {
                    failure.compareAndSet(null, new IOException("connection " + id + ": " + t, t));
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        check(failure);
        System.out.println("verified " + verified.get());
        System.out.flush();
        expect(control, "close");
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Sends distinct bytes for (connection, round, offset) and checks every byte that comes back. */
    static long roundTrips(Socket s, int id, int bytesPerRound, int rounds) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] sent = new byte[bytesPerRound];
        byte[] got = new byte[bytesPerRound];
        long checked = 0;
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < bytesPerRound; j++) {
                sent[j] = (byte) (id * 31 + r * 7 + j);
            }
            out.write(sent);
            int have = 0;
            while (have < bytesPerRound) {
                int n = in.read(got, have, bytesPerRound - have);
                if (n < 0) {
                    throw new IOException("EOF after " + have + " bytes of round " + r);
                }
                have += n;
            }
            for (int j = 0; j < bytesPerRound; j++) {
                if (got[j] != sent[j]) {
                    throw new IOException("byte " + j + " of round " + r + ": sent " + sent[j] + ", got " + got[j]);
                }
            }
            checked += bytesPerRound;
        }
        return checked;
    }

    private static void expect(BufferedReader control, String word) throws IOException {
        String line = control.readLine();
        if (!word.equals(line)) {
            System.out.println("error: expected '" + word + "' from the test, got " + line);
            System.exit(1);
        }
    }

    private static void check(AtomicReference<Throwable> failure) {
        Throwable t = failure.get();
        if (t != null) {
            System.out.println("error " + t);
            System.exit(1);
        }
    }
}
