package dev.bsg.gateway.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Method + path → route. Patterns are literal segments and {@code {name}} segments, which match
 * exactly one raw (still percent-encoded) segment.
 */
public final class Router {
    public record Route(String method, String pattern, Door door, Interceptor.Chain chain) {}

    public record Match(Route route, Map<String, String> params, boolean pathKnown) {}

    private final Map<String, List<Route>> exact = new HashMap<>();
    private final List<Route> parameterised = new ArrayList<>();

    public Router add(String method, String pattern, Door door, List<Interceptor> interceptors, Handler handler) {
        Route route = new Route(method, pattern, door, Interceptor.chain(interceptors, handler));
        if (pattern.contains("{")) parameterised.add(route);
        else exact.computeIfAbsent(pattern, p -> new ArrayList<>()).add(route);
        return this;
    }

    /** The route for this request; {@code route} is null when none fits, {@code pathKnown} tells 405 from 404. */
    public Match match(String method, String path) {
        boolean pathKnown = false;
        List<Route> candidates = exact.get(path);
        if (candidates != null) {
            pathKnown = true;
            for (Route route : candidates) if (methodFits(route, method)) return new Match(route, Map.of(), true);
        }
        String[] segments = path.split("/", -1);
        for (Route route : parameterised) {
            Map<String, String> params = bind(route.pattern(), segments);
            if (params == null) continue;
            pathKnown = true;
            if (methodFits(route, method)) return new Match(route, params, true);
        }
        return new Match(null, Map.of(), pathKnown);
    }

    private static boolean methodFits(Route route, String method) {
        return route.method().equals(method)
                || (method.equals("HEAD") && route.method().equals("GET"));
    }

    private static Map<String, String> bind(String pattern, String[] segments) {
        String[] parts = pattern.split("/", -1);
        if (parts.length != segments.length) return null;
        Map<String, String> params = null;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].startsWith("{")) {
                if (segments[i].isEmpty()) return null;
                if (params == null) params = new HashMap<>();
                params.put(parts[i].substring(1, parts[i].length() - 1), segments[i]);
            } else if (!parts[i].equals(segments[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    /** The door a path belongs to, for errors on paths no route matched. */
    public static Door doorOf(String path) {
        if (path.startsWith("/bedrock/") || path.startsWith("/model/") || path.startsWith("/inference-profiles"))
            return Door.BEDROCK;
        if (path.startsWith("/api/")) return Door.API;
        return Door.ANTHROPIC;
    }
}
