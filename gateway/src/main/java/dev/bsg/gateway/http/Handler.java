package dev.bsg.gateway.http;

/** The end of a route: answers the exchange. */
@FunctionalInterface
public interface Handler {
    void handle(Exchange exchange) throws Exception;
}
