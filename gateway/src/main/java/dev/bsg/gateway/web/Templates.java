package dev.bsg.gateway.web;

import dev.bsg.gateway.http.Exchange;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the console's jte templates (compiled at build time into the gateway's jar) with the headers every page
 * carries: a strict CSP whose scripts need this response's nonce, no caching, no framing, no sniffing.
 */
final class Templates {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    void send(Exchange exchange, int status, String template, View view, Object... namesAndValues) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("view", view);
        for (int i = 0; i < namesAndValues.length; i += 2)
            params.put((String) namesAndValues[i], namesAndValues[i + 1]);
        Utf8ByteOutput output = new Utf8ByteOutput();
        engine.render(template, params, output);
        headers(exchange, view.nonce());
        exchange.send(status, "text/html; charset=utf-8", output.toByteArray());
    }

    /** A page that asks before something that can't be undone: a form posting to {@code action}, or back. */
    void confirm(Exchange exchange, View view, String text, String action, String button, String back) {
        send(exchange, 200, "confirm.jte", view, "text", text, "action", action, "button", button, "back", back);
    }

    static void headers(Exchange exchange, String nonce) {
        exchange.setHeader("Cache-Control", "no-store");
        exchange.setHeader(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' data:; "
                        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        exchange.setHeader("X-Content-Type-Options", "nosniff");
        exchange.setHeader("Referrer-Policy", "same-origin");
    }
}
