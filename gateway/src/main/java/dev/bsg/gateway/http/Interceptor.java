package dev.bsg.gateway.http;

import java.util.List;

/** One concern on the way to a handler (authentication, metrics, limits), in the style of OkHttp's chain. */
@FunctionalInterface
public interface Interceptor {
    void intercept(Exchange exchange, Chain chain) throws Exception;

    interface Chain {
        void proceed(Exchange exchange) throws Exception;
    }

    /** Runs the interceptors in order, then the handler. */
    static Chain chain(List<Interceptor> interceptors, Handler handler) {
        // A handler's HttpError is answered right away, so every interceptor sees the final status.
        Chain chain = exchange -> {
            try {
                handler.handle(exchange);
            } catch (HttpError e) {
                if (exchange.isCommitted()) throw e;
                exchange.sendError(e.error());
            }
        };
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            Interceptor interceptor = interceptors.get(i);
            Chain next = chain;
            chain = exchange -> interceptor.intercept(exchange, next);
        }
        return chain;
    }
}
