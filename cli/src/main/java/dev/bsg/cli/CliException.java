package dev.bsg.cli;

/** An error for the person at the terminal: one line that says what went wrong and what to do. */
public class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }
}
