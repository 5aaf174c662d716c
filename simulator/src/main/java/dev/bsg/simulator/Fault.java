package dev.bsg.simulator;

/** What the simulator does instead of, or in the middle of, a normal reply. */
public enum Fault {
    /** 429 ThrottlingException before any byte. */
    THROTTLE,
    /** 500 InternalServerException before any byte. */
    SERVER_ERROR,
    /** 503 ServiceUnavailableException before any byte. */
    UNAVAILABLE,
    /** Streams: the connection is cut after the first events. */
    RESET_MID_STREAM,
    /** Streams: an exception frame after the first events. */
    STREAM_EXCEPTION,
    /** Streams: the upstream goes silent for the reply's silence time after the first events. */
    SILENCE
}
