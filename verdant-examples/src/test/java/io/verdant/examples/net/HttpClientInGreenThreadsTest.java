package io.verdant.examples.net;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.verdant.examples.net.HttpServerTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java.net.http.HttpClient} called from green threads: a blocking
 * {@code send} parks the green thread (it waits on a CompletableFuture the
 * client's own threads complete), so with ONE worker, many requests in flight
 * leave the carrier free. Timeouts map to the client's usual exceptions.
 */
@Timeout(60)
class HttpClientInGreenThreadsTest {
    private Verdant rt;
    private com.sun.net.httpserver.HttpServer slow;
    private ExecutorService slowPool;
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        rt = Verdant.start(Config.builder().workers(1).name("http-client").build());
        slow = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        slowPool = Executors.newCachedThreadPool();
        slow.setExecutor(slowPool);
        slow.createContext("/slow", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        slow.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.close();
        rt.close();
        slow.stop(0);
        slowPool.shutdownNow();
    }

    private URI slowUri() {
        return URI.create("http://127.0.0.1:" + slow.getAddress().getPort() + "/slow");
    }

    @Test
    void manyBlockingSendsInFlightLeaveTheOnlyCarrierFree() throws Exception {
        int n = 50;
        List<GreenHandle<String>> senders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            senders.add(rt.spawn(() -> {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(slowUri()).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() + " " + r.body();
            }));
        }
        awaitTrue(() -> senders.stream().allMatch(h -> h.state() == GreenState.WAITING), "senders parked");
        assertThat(rt.spawn(() -> "ran").join(Duration.ofSeconds(20))).isEqualTo("ran");
        release.countDown();
        for (GreenHandle<String> h : senders) {
            assertThat(h.join(Duration.ofSeconds(30))).isEqualTo("200 ok");
        }
    }

    @Test
    void requestTimeoutIsAnHttpTimeoutException() {
        Object outcome = rt.spawn(() -> {
            try {
                return client.send(HttpRequest.newBuilder(slowUri()).timeout(Duration.ofMillis(300)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                return e;
            }
        }).join(Duration.ofSeconds(20));
        assertThat(outcome).isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void connectTimeoutIsAnHttpConnectTimeoutException() throws Exception {
        // A listener that never accepts, backlog 1, its accept queue filled: further SYNs are dropped.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = new Socket();
                    fillers.add(s);
                    s.connect(full.getLocalSocketAddress(), 2_000);
                }
                try (HttpClient impatient = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build()) {
                    URI uri = URI.create("http://127.0.0.1:" + full.getLocalPort() + "/");
                    Object outcome = rt.spawn(() -> {
                        try {
                            return impatient.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                        } catch (HttpConnectTimeoutException e) {
                            return e;
                        }
                    }).join(Duration.ofSeconds(20));
                    assertThat(outcome).isInstanceOf(HttpConnectTimeoutException.class);
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void interruptingAGreenThreadInSendEndsIt() throws Exception {
        AtomicReference<Thread> vthread = new AtomicReference<>();
        GreenHandle<Object> sender = rt.spawn(() -> {
            vthread.set(Thread.currentThread());
            try {
                return client.send(HttpRequest.newBuilder(slowUri()).build(), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                return e;
            }
        });
        awaitTrue(() -> vthread.get() != null && sender.state() == GreenState.WAITING, "sender parked");
        vthread.get().interrupt();
        assertThat(sender.join(Duration.ofSeconds(20))).isInstanceOf(InterruptedException.class);
    }
}
