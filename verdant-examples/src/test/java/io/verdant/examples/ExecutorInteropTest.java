package io.verdant.examples;

import com.sun.net.httpserver.HttpServer;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Libraries that take an {@code Executor} run on Verdant unchanged: the JDK's
 * {@code com.sun.net.httpserver.HttpServer} dispatches every exchange to
 * {@code rt.executor()}, so each handler runs as a green thread; the JDK's
 * {@code HttpClient} takes the same kind of executor for its own work.
 */
@Timeout(60)
class ExecutorInteropTest {

    @Test
    void jdkHttpServerHandlersRunAsGreenThreads() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("httpd").build());
             ExecutorService handlers = rt.spawner().name("handler-", 0).executor()) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(handlers);
            AtomicInteger notGreen = new AtomicInteger();
            server.createContext("/who", exchange -> {
                if (!Green.isGreen()) {
                    notGreen.incrementAndGet();
                }
                // a Verdant green-only operation works in the handler
                byte[] body = (Green.isGreen() + " " + Green.runtime().name() + " "
                        + Thread.currentThread().getName()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            try (HttpClient client = HttpClient.newBuilder().executor(rt.executor()).build()) {
                URI uri = URI.create("http://" + server.getAddress().getHostString() + ":"
                        + server.getAddress().getPort() + "/who");
                List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    inFlight.add(client.sendAsync(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                    HttpResponse<String> r = f.join();
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).startsWith("true httpd handler-");
                }
            } finally {
                server.stop(0);
            }
            assertThat(notGreen.get()).isZero();
        }
    }

    @Test
    void completableFutureAsyncStagesRunOnGreenThreads() throws IOException {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("cf").build());
             ExecutorService ex = rt.executor()) {
            String r = CompletableFuture.supplyAsync(() -> Green.isGreen() ? "green" : "platform", ex)
                    .thenCombineAsync(CompletableFuture.supplyAsync(Green::isGreen, ex), (a, b) -> a + "+" + b, ex)
                    .join();
            assertThat(r).isEqualTo("green+true");
        }
    }
}
