package dev.bsg.cli;

/** Run by {@link CachedSessionIT} in a process of its own: whether the cached bsg token path answers these arguments. */
public final class SessionFastPathProbe {
    private SessionFastPathProbe() {}

    public static void main(String[] args) {
        boolean answered = CachedSession.tryAnswer(args);
        System.out.println("fast path answered " + answered);
    }
}
