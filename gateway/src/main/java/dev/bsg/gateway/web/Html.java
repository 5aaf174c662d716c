package dev.bsg.gateway.web;

import java.nio.charset.StandardCharsets;

/** Small, escaped HTML pages; no templates, no scripts. */
final class Html {
    private Html() {}

    static String escape(String text) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String PRODUCT = "Bedrock SSO Gateway";

    static byte[] page(String title, String body) {
        String fullTitle = title.equals(PRODUCT) ? PRODUCT : title + " · " + PRODUCT;
        return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(fullTitle)
                        + "</title>"
                        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        + "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}"
                        + "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}"
                        + "code{background:#f3f3f3;padding:.1rem .3rem}button,a.button{padding:.4rem .9rem}</style></head><body>"
                        + "<h1>" + escape(title) + "</h1>" + body + "</body></html>")
                .getBytes(StandardCharsets.UTF_8);
    }
}
