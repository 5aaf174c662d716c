package dev.bsg.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "bsg", mixinStandardHelpOptions = true, version = "bsg 0.1.0",
        description = "Bedrock SSO Gateway: the gateway between your developers and Claude on Amazon Bedrock.",
        subcommands = {ServeCommand.class, SessionCommands.Login.class, SessionCommands.Token.class, SessionCommands.Logout.class,
                SetupCommand.class, KeygenCommand.class, CredentialProcessCommand.class, OtelHeadersCommand.class, DoctorCommand.class, PackageCommand.class, AdminCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("credential-process") && CachedCredentials.tryAnswer(args)) return;
        if (args.length > 0 && args[0].equals("token") && CachedSession.tryAnswer(args)) return;
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bsg: " + (e instanceof CliException ? e.getMessage() : e.toString()));
            return 1;
        });
        return cli.execute(args);
    }
}
