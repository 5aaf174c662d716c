package dev.bsg.gateway.http;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who a request really comes from behind load balancers and reverse proxies. {@code Forwarded} (RFC 7239) and
 * {@code X-Forwarded-For}/{@code -Proto} are believed only from the configured proxy networks, and only as far back as
 * the chain stays inside them: the address is the last hop no trusted proxy vouches for, so a client can't pass off
 * another address by sending the header itself.
 */
public final class TrustedProxies {
    private static final Pattern FOR = Pattern.compile("(?i)(?:^|[;,\\s])for=(\"[^\"]*\"|[^;,\\s]+)");
    private static final Pattern PROTO = Pattern.compile("(?i)(?:^|[;,\\s])proto=(\"[^\"]*\"|[^;,\\s]+)");
    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    /** A network in CIDR form. */
    private record Network(byte[] base, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != base.length) return false;
            BigInteger mask = BigInteger.ONE
                    .shiftLeft(address.length * 8)
                    .subtract(BigInteger.ONE)
                    .shiftRight(prefix)
                    .not();
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, base).and(mask));
        }
    }

    /** The client as the gateway believes it: its address, and whether it reached the first proxy over TLS. */
    public record Client(String address, boolean https) {}

    private final List<Network> networks;

    private TrustedProxies(List<Network> networks) {
        this.networks = networks;
    }

    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses CIDRs ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address); throws
     * IllegalArgumentException naming the one that isn't.
     */
    public static TrustedProxies of(List<String> cidrs) {
        List<Network> networks = new ArrayList<>();
        for (String cidr : cidrs) {
            String[] parts = cidr.strip().split("/", 2);
            byte[] base = literal(parts[0]);
            if (base == null) throw new IllegalArgumentException(cidr);
            int prefix;
            try {
                prefix = parts.length == 1 ? base.length * 8 : Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(cidr, e);
            }
            if (prefix < 0 || prefix > base.length * 8) throw new IllegalArgumentException(cidr);
            networks.add(new Network(base, prefix));
        }
        return new TrustedProxies(List.copyOf(networks));
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /**
     * The client behind {@code remote}: when {@code remote} is a trusted proxy, walk the forwarded chain from the
     * nearest hop back while each hop is trusted too; an unparsable hop ends the walk there.
     */
    public Client client(String remote, boolean remoteTls, String forwarded, String forwardedFor, String proto) {
        if (!trusted(remote)) return new Client(remote, remoteTls);
        List<String> hops = forwarded != null ? values(FOR, forwarded) : list(forwardedFor);
        String client = remote;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = address(hops.get(i));
            if (hop == null) break;
            client = hop;
            if (!trusted(hop)) break;
        }
        List<String> schemes = forwarded != null ? values(PROTO, forwarded) : list(proto);
        boolean https = schemes.isEmpty()
                ? remoteTls
                : schemes.get(0).toLowerCase(Locale.ROOT).equals("https");
        return new Client(client, https);
    }

    private boolean trusted(String address) {
        byte[] bytes = literal(address);
        if (bytes == null) return false;
        for (Network network : networks) if (network.contains(bytes)) return true;
        return false;
    }

    private static List<String> values(Pattern pattern, String header) {
        List<String> values = new ArrayList<>();
        Matcher m = pattern.matcher(header);
        while (m.find()) values.add(m.group(1).replace("\"", ""));
        return values;
    }

    private static List<String> list(String header) {
        List<String> values = new ArrayList<>();
        if (header == null) return values;
        for (String part : header.split(",")) if (!part.isBlank()) values.add(part.strip());
        return values;
    }

    /** An address from a hop: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code [2001:db8::1]:4711}; null if not one. */
    private static String address(String hop) {
        String text = hop.strip();
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) return null;
            text = text.substring(1, close);
        } else if (text.indexOf(':') == text.lastIndexOf(':') && text.contains(":")) {
            text = text.substring(0, text.indexOf(':'));
        }
        byte[] bytes = literal(text);
        if (bytes == null) return null;
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The bytes of an IP literal, never a DNS lookup; null when {@code text} is not one. */
    private static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) return null;
        boolean v4 = text.matches("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$");
        boolean v6 = text.contains(":") && text.matches("^[0-9A-Fa-f:.]+$");
        if (!v4 && !v6) return null;
        if (v4) {
            for (String octet : text.split("\\.")) if (Integer.parseInt(octet) > 255) return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
