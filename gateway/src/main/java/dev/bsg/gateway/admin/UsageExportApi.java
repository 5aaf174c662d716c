package dev.bsg.gateway.admin;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.metering.UsageExport;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.protocol.errors.ApiError;
import java.util.Map;

/** {@code POST /api/admin/usage/export}: runs the Parquet export now, besides its schedule. */
public final class UsageExportApi {
    private final UsageExport export;
    private final AuditLog audit;

    /** {@code export}: null when none is configured. */
    public UsageExportApi(UsageExport export, AuditLog audit) {
        this.export = export;
        this.audit = audit;
    }

    public void run(Exchange exchange) {
        if (export == null)
            throw new HttpError(ApiError.invalidRequest(
                    "no usage export is configured: set export.to to s3://BUCKET/PREFIX or a folder"));
        UsageExport.Run run;
        try {
            run = export.run();
        } catch (RuntimeException e) {
            audit.record(
                    exchange.principal().email(), "usage.export", null, "failed", exchange.clientIp(), e.getMessage());
            throw new HttpError(ApiError.unavailable("the usage export failed (" + e.getMessage()
                    + "); what was not written stays unexported and is tried again at the next run"));
        }
        audit.record(
                exchange.principal().email(),
                "usage.export",
                null,
                run.busy() ? "busy" : "ok",
                exchange.clientIp(),
                run.records() + " records in " + run.files().size() + " files");
        exchange.sendJson(
                200,
                Bodies.json(Map.of(
                        "busy", run.busy(),
                        "batches", run.batches(),
                        "records", run.records(),
                        "files", run.files())));
    }
}
