package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "prices", mixinStandardHelpOptions = true, description = "The price list costs are computed with.")
final class PricesCommand {
    @ParentCommand
    AdminCommand admin;

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "The prices in force (USD per million tokens).")
    int show(
            @Option(names = "--csv", description = "Print the CSV itself (a starting point for an import).")
                    boolean csv) {
        if (csv) {
            System.out.print(new String(
                    admin.send("GET", "/api/admin/prices?format=csv", "application/json", null)
                            .body(),
                    StandardCharsets.UTF_8));
            return 0;
        }
        JsonNode prices = admin.call("GET", "/api/admin/prices", null);
        if (!admin.json)
            System.err.println("bsg: price list " + prices.path("version").asText() + ", USD per million tokens");
        admin.print(
                prices,
                List.of(
                        "model",
                        "region",
                        "input",
                        "output",
                        "cache_read",
                        "cache_write_5m",
                        "cache_write_1h",
                        "regional_premium_percent"));
        return 0;
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description =
                    "Replace the price list with a CSV; requests from now on are charged at it, earlier ones keep their price.")
    int importFile(@Parameters(paramLabel = "FILE") Path file) {
        byte[] csv;
        try {
            csv = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException("can't read " + file + ": " + e.getMessage()
                    + " (export the current list with 'bsg admin prices show --csv')");
        }
        JsonNode answer = admin.parse(admin.send("POST", "/api/admin/prices", "text/csv", csv));
        System.out.println("prices " + answer.path("version").asText() + " in force ("
                + answer.path("rows").asInt() + " rows; was "
                + answer.path("previous_version").asText() + ")");
        return 0;
    }
}
