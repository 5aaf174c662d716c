package dev.bsg.gateway.store;

import java.sql.SQLException;

/** The database failed; the gateway answers 503 and logs the cause. */
public class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
        super(cause.getMessage(), cause);
    }

    /** A unique constraint was hit (an email or key that already exists). */
    public boolean isConflict() {
        String state = getCause() instanceof SQLException sql ? sql.getSQLState() : null;
        String message = String.valueOf(getMessage());
        return "23505".equals(state) || message.contains("UNIQUE constraint failed");
    }
}
