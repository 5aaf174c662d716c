package dev.bsg.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
        name = "bsg",
        mixinStandardHelpOptions = true,
        version = "bsg 0.1.0",
        description = "Bedrock SSO Gateway: the gateway between your developers and Claude on Amazon Bedrock.",
        subcommands = {
            Main.ServeElsewhere.class,
            SessionCommands.Login.class,
            SessionCommands.Token.class,
            SessionCommands.Logout.class,
            SetupCommand.class,
            KeygenCommand.class,
            CredentialProcessCommand.class,
            OtelHeadersCommand.class,
            DoctorCommand.class,
            PackageCommand.class,
            InitCommand.class,
            AdminCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        if (answeredFromCache(args)) return;
        System.exit(run(args));
    }

    /** The hot paths (AWS's credential_process, Claude Code's apiKeyHelper) answer from their caches before picocli loads. */
    public static boolean answeredFromCache(String[] args) {
        if (args.length > 0 && args[0].equals("credential-process") && CachedCredentials.tryAnswer(args)) return true;
        return args.length > 0 && args[0].equals("token") && CachedSession.tryAnswer(args);
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The end-user commands, with errors printed as one line for the person at the terminal. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bsg: " + (e instanceof CliException ? e.getMessage() : e.toString()));
            return 1;
        });
        return cli;
    }

    /** The end-user bsg carries no server; this says where the gateway runs from instead. */
    @Command(name = "serve", description = "Run the gateway (in the server's distribution, not this end-user bsg).")
    static final class ServeElsewhere implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] ignored;

        @Override
        public Integer call() {
            throw new CliException(
                    "this bsg is the end-user tool and carries no server; run the gateway from its container image"
                            + " or from a checkout with ./bsg serve (./bsg serve --demo tries it offline)");
        }
    }
}
