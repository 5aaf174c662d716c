package dev.bsg.gateway.limits;

import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.AlertStore;
import dev.bsg.gateway.store.AlertStore.Pending;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends the alert deliveries that are due: webhooks over HTTP (json ones signed), e-mail over SMTP. A failure is
 * tried again later, doubling the wait, and after the last attempt recorded with its error; nothing here runs on a
 * request's path.
 */
public final class AlertDelivery {
    /** Header on json webhooks: {@code t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, t + "." + body))}. */
    public static final String SIGNATURE_HEADER = "x-bsg-signature";

    private static final Duration CLAIM = Duration.ofMinutes(2);
    private final Settings.Alerts settings;
    private final AlertStore store;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public AlertDelivery(Settings.Alerts settings, AlertStore store, Clock clock, GatewayMetrics metrics) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Tries every delivery that is due and that no other instance is trying. */
    public void sendDue() {
        long now = clock.millis();
        for (Pending pending : store.due(now, 100)) {
            if (!store.claim(pending.id(), now + CLAIM.toMillis(), now)) continue;
            try {
                send(pending);
                store.delivered(pending.id(), clock.millis());
                metrics.alertDelivery(pending.channel(), "delivered");
            } catch (Exception e) {
                int attempts = pending.attempts() + 1;
                boolean last = attempts >= settings.maxAttempts();
                long delay = settings.retryDelaySeconds() * 1000L * (1L << Math.min(attempts - 1, 16));
                store.attemptFailed(pending.id(), describe(e), last ? null : clock.millis() + delay, clock.millis());
                metrics.alertDelivery(pending.channel(), last ? "failed" : "retried");
            }
        }
    }

    private void send(Pending pending) throws IOException, InterruptedException, MessagingException {
        switch (pending.channel()) {
            case "email" -> email(pending);
            case "slack", "webhook" -> post(pending);
            default -> throw new IllegalStateException("unknown channel " + pending.channel());
        }
    }

    private void post(Pending pending) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pending.target()))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("x-bsg-delivery", pending.id())
                .POST(HttpRequest.BodyPublishers.ofString(pending.payload()));
        if (pending.channel().equals("webhook")) {
            Settings.Alerts.Webhook webhook = settings.webhooks().stream()
                    .filter(each -> each.url().equals(pending.target()) && each.secret() != null)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("this webhook is no longer configured"));
            request.header(SIGNATURE_HEADER, signature(webhook.secret(), clock.millis() / 1000, pending.payload()));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) throw new IOException("the webhook answered " + response.statusCode());
    }

    /** The signature header's value for {@code body} sent at {@code seconds}. */
    public static String signature(String secret, long seconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((seconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + seconds + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e); // HmacSHA256 is in every JDK
        }
    }

    private void email(Pending pending) throws MessagingException {
        Settings.Alerts.Smtp smtp = settings.smtp();
        if (!smtp.enabled()) throw new IllegalStateException("SMTP is no longer configured");
        Properties properties = new Properties();
        properties.put("mail.smtp.host", smtp.host());
        properties.put("mail.smtp.port", String.valueOf(smtp.port()));
        properties.put("mail.smtp.starttls.enable", String.valueOf(smtp.starttls()));
        properties.put("mail.smtp.auth", String.valueOf(smtp.username() != null));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        properties.put("mail.smtp.writetimeout", "10000");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress(smtp.from()));
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(pending.target(), true));
        message.setSubject(pending.subject(), "UTF-8");
        message.setText(pending.payload(), "UTF-8");
        if (smtp.username() != null) Transport.send(message, smtp.username(), smtp.password());
        else Transport.send(message);
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
