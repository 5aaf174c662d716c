package dev.bsg.server;

import dev.bsg.cli.Main;
import picocli.CommandLine;

/** The server's {@code bsg}: every end-user command, and {@code serve} with its offline demo. */
public final class ServerMain {
    private ServerMain() {}

    public static void main(String[] args) {
        if (Main.answeredFromCache(args)) return;
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.getCommandSpec().removeSubcommand("serve");
        cli.addSubcommand("serve", new ServeCommand());
        cli.addSubcommand("health", new HealthCommand());
        return cli.execute(args);
    }
}
