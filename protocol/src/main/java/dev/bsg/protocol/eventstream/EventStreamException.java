package dev.bsg.protocol.eventstream;

/** A frame that breaks the event-stream rules: bad CRC, impossible lengths, bad header. */
public class EventStreamException extends RuntimeException {
    public EventStreamException(String message) {
        super(message);
    }
}
