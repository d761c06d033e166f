package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.examples.net.EchoServer;
import io.verdant.examples.net.HttpServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Network servers on green threads: starts the HTTP/1.1 example server (one
 * green thread per connection, blocking-style code) on a free loopback port,
 * makes a few requests with the JDK's HttpClient, prints them, does one echo
 * round trip against the echo example, and shuts both down.
 */
public final class NetExample {
    public static void main(String[] args) throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("net").build());
             HttpServer http = HttpServer.start(rt, 0);
             EchoServer echo = EchoServer.start(rt, 0);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String base = "http://127.0.0.1:" + http.port();
            System.out.println("HTTP server on " + base + "/, one green thread per connection");
            for (String path : new String[] {"/", "/hello?name=tour", "/conn", "/conn", "/missing"}) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                System.out.println("  GET " + path + " -> " + r.statusCode() + " " + r.body().strip());
            }
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("green")).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("  POST /echo 'green' -> " + posted.statusCode() + " " + posted.body());
            System.out.println("  (both /conn answers name one connection and one green thread: keep-alive)");

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] msg = "hello, echo".getBytes(StandardCharsets.UTF_8);
                out.write(msg);
                System.out.println("Echo server on port " + echo.port() + ": sent 'hello, echo', got '"
                        + new String(in.readNBytes(msg.length), StandardCharsets.UTF_8) + "'");
            }
            System.out.println("Green threads alive before shutdown: " + rt.liveThreads()
                    + " (2 accept loops + open connections)");
        }
        System.out.println("Servers closed gracefully, runtime closed.");
    }
}
