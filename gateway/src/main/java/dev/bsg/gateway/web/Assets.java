package dev.bsg.gateway.web;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.protocol.errors.ApiError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The console's static files, served by the gateway itself so it works offline and behind strict egress: its own
 * stylesheet and script, and uPlot for the charts (from its npm package, a build dependency).
 */
final class Assets {
    private record Asset(byte[] bytes, String type) {}

    private final Map<String, Asset> assets;

    Assets() {
        String uplot = "META-INF/resources/webjars/uplot/" + version("org.webjars.npm", "uplot") + "/dist/";
        this.assets = Map.of(
                "console.css", load("dev/bsg/gateway/web/assets/console.css", "text/css; charset=utf-8"),
                "console.js", load("dev/bsg/gateway/web/assets/console.js", "text/javascript; charset=utf-8"),
                "favicon.svg", load("dev/bsg/gateway/web/assets/favicon.svg", "image/svg+xml"),
                "uplot.css", load(uplot + "uPlot.min.css", "text/css; charset=utf-8"),
                "uplot.js", load(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"));
    }

    void serve(Exchange exchange) {
        serve(exchange, exchange.pathParam("name"));
    }

    /** {@code /favicon.ico}, which browsers ask for on pages that don't name an icon (the sign-in pages' own). */
    void favicon(Exchange exchange) {
        serve(exchange, "favicon.svg");
    }

    private void serve(Exchange exchange, String name) {
        Asset asset = assets.get(name);
        if (asset == null) throw new HttpError(ApiError.notFound("no such file"));
        exchange.setHeader("Cache-Control", "public, max-age=3600");
        exchange.setHeader("X-Content-Type-Options", "nosniff");
        exchange.send(200, asset.type(), asset.bytes());
    }

    private static String version(String group, String artifact) {
        Properties properties = new Properties();
        try (InputStream in = resource("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static Asset load(String path, String type) {
        try (InputStream in = resource(path)) {
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = Assets.class.getClassLoader().getResourceAsStream(path);
        if (in == null) throw new IOException("the gateway's jar lacks " + path);
        return in;
    }
}
