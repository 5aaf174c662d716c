package dev.bsg.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Export the usage records not yet exported now (Parquet to the gateway's export.to), besides"
                + " the hourly run.")
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    @Override
    public Integer call() {
        var answer = admin.call("POST", "/api/admin/usage/export", null);
        if (admin.json) {
            System.out.println(answer.toPrettyString());
        } else if (answer.path("busy").asBoolean()) {
            System.out.println("another gateway instance is exporting right now; its run covers these records");
        } else {
            System.out.println("exported " + answer.path("records").asLong() + " records in "
                    + answer.path("files").size() + " files");
            for (var file : answer.path("files")) System.out.println("  " + file.asText());
        }
        return 0;
    }
}
