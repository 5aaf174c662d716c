package dev.bsg.protocol.translate;

/** The client's request can't be translated; the message is meant for the client. */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
