package dev.bsg.gateway.settings;

import dev.bsg.gateway.settings.ConfigBinding.Invalid;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** {@code database.url} as JDBC wants it: JDBC URLs pass, {@code postgres://user:pass@host:port/db} is turned into one. */
final class JdbcUrls {
    private JdbcUrls() {}

    static String of(String url) {
        if (url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:")) return url;
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw invalid(url);
            }
            if (uri.getHost() == null) throw invalid(url);
            StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
            if (uri.getPort() > 0) jdbc.append(':').append(uri.getPort());
            jdbc.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath());
            List<String> params = new ArrayList<>();
            if (uri.getRawUserInfo() != null) {
                String[] userInfo = uri.getRawUserInfo().split(":", 2);
                params.add("user=" + userInfo[0]);
                if (userInfo.length > 1) params.add("password=" + userInfo[1]);
            }
            if (uri.getRawQuery() != null) params.add(uri.getRawQuery());
            if (!params.isEmpty()) jdbc.append('?').append(String.join("&", params));
            return jdbc.toString();
        }
        throw invalid(url);
    }

    private static Invalid invalid(String url) {
        return new Invalid("url", url, "use jdbc:sqlite:PATH, jdbc:postgresql://HOST/DB or postgres://USER@HOST/DB");
    }
}
