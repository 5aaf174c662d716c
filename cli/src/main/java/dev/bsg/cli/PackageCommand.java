package dev.bsg.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bsg package}: the bundle an IT team hands out, so a developer needs no Java and no setup: this
 * bsg with a jlink-trimmed Java runtime, the organisation config beside its launcher, and installers
 * that write the AWS profile and Claude Code's settings ({@code bsg setup bedrock}).
 */
@Command(
        name = "package",
        mixinStandardHelpOptions = true,
        description =
                "Build the end-user bundle: launcher, trimmed Java runtime, organisation config, installers for Linux, macOS and Windows.")
final class PackageCommand implements Callable<Integer> {
    /**
     * What the client commands need of the JDK (jdeps on the libraries): HTTP, the loopback listener, XML (STS),
     * SQL types (Jackson, Nimbus), crypto. No desktop module: {@link Browser} uses the system's opener instead.
     */
    static final List<String> MODULES = List.of(
            "java.base",
            "java.logging",
            "java.net.http",
            "java.sql",
            "java.xml",
            "jdk.crypto.ec",
            "jdk.httpserver",
            "jdk.unsupported",
            "jdk.zipfs");

    @Option(
            names = "--config",
            required = true,
            description = "The organisation config (profiles: ...), checked before anything is built.")
    Path config;

    @Option(
            names = "--out",
            required = true,
            description = "The directory to write the bundle to (must not exist, or be empty).")
    Path out;

    @Option(names = "--profile", description = "The profile the installers set up (default: the config's first).")
    String profile;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> profiles = AwsProfile.names(config);
        for (String name : profiles) AwsProfile.load(config, name);
        String chosen = profile != null ? profile : profiles.get(0);
        if (!profiles.contains(chosen))
            throw new CliException("--profile " + chosen + " is not in " + config + "; profiles there: "
                    + String.join(", ", profiles));
        if (Files.exists(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent())
                    throw new CliException(out + " is not empty; choose a new directory for the bundle");
            }
        }
        Files.createDirectories(out.resolve("lib"));
        step("checked " + config + " (" + profiles.size() + " profile" + (profiles.size() == 1 ? "" : "s") + ")");
        Files.copy(config, out.resolve("config.yaml"));
        int jars = copyClasspath(out.resolve("lib"));
        step("copied bsg and its " + (jars - 1) + " libraries (" + size(out.resolve("lib")) / (1024 * 1024) + " MB)");
        runtime(out.resolve("runtime"));
        writeExecutable(out.resolve("bsg"), """
                #!/bin/sh
                # bsg with its own Java runtime; config.yaml beside this file is the organisation's.
                dir="$(cd "$(dirname "$0")" && pwd -P)"
                # Java takes the home directory from the user database; the tools bsg writes for (AWS, Claude Code) follow $HOME.
                exec "$dir/runtime/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -Dbsg.launcher="$dir/bsg" \\
                  ${HOME:+-Duser.home="$HOME"} -cp "$dir/lib/*" dev.bsg.cli.Main "$@"
                """);
        Files.writeString(out.resolve("bsg.cmd"), """
                @echo off
                rem bsg on Windows: the bundled runtime when it is a Windows one, else java on the PATH.
                set "BSG_JAVA=%~dp0runtime\\bin\\java.exe"
                if not exist "%BSG_JAVA%" set "BSG_JAVA=java"
                "%BSG_JAVA%" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dbsg.launcher="%~dp0bsg.cmd" -cp "%~dp0lib\\*" dev.bsg.cli.Main %*
                """.replace("\n", "\r\n"));
        writeExecutable(out.resolve("install.sh"), """
                #!/bin/sh
                # Installs bsg for this user (Linux, macOS): copies the bundle, puts bsg on the PATH, writes the AWS
                # profile and Claude Code's settings. Safe to run again; existing files are backed up first.
                set -e
                src="$(cd "$(dirname "$0")" && pwd -P)"
                dest="${BSG_INSTALL_DIR:-$HOME/.local/share/bsg}"
                profile="${1:-%s}"
                echo "Installing bsg into $dest"
                mkdir -p "$dest" "$HOME/.local/bin"
                if [ "$src" != "$(cd "$dest" && pwd -P)" ]; then cp -R "$src/." "$dest/"; fi
                ln -sf "$dest/bsg" "$HOME/.local/bin/bsg"
                BSG_CONFIG="$dest/config.yaml" "$dest/bsg" setup bedrock --profile "$profile" --bsg "$dest/bsg"
                echo "Done. The first AWS or Claude Code call opens your browser to sign in; 'bsg doctor --profile $profile' checks the set-up."
                """.formatted(chosen));
        Files.writeString(out.resolve("install.ps1"), """
                # Installs bsg for this user on Windows: copies the bundle, puts bsg on the user's PATH, writes the AWS
                # profile and Claude Code's settings. Safe to run again; existing files are backed up first.
                # ($Profile is PowerShell's own variable, so the parameter is $BsgProfile, still given as -Profile.)
                param([Alias("Profile")][string]$BsgProfile = "%s")
                $ErrorActionPreference = "Stop"
                $dest = if ($env:BSG_INSTALL_DIR) { $env:BSG_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA "bsg" }
                Write-Host "Installing bsg into $dest"
                New-Item -ItemType Directory -Force -Path $dest | Out-Null
                if ((Resolve-Path $PSScriptRoot).Path -ne (Resolve-Path $dest).Path) {
                    Copy-Item -Recurse -Force -Path (Join-Path $PSScriptRoot "*") -Destination $dest
                }
                $userPath = [Environment]::GetEnvironmentVariable("Path", "User")
                if ($null -eq $userPath) { $userPath = "" }
                if (-not (($userPath -split ";") -contains $dest)) {
                    [Environment]::SetEnvironmentVariable("Path", (($userPath.TrimEnd(";") + ";" + $dest).TrimStart(";")), "User")
                    Write-Host "Added $dest to your PATH (new terminals will see it)"
                }
                $env:BSG_CONFIG = Join-Path $dest "config.yaml"
                & (Join-Path $dest "bsg.cmd") setup bedrock --profile $BsgProfile --bsg ((Join-Path $dest "bsg.cmd") -replace '\\\\', '/')
                if ($LASTEXITCODE -ne 0) { throw "bsg setup failed" }
                Write-Host "Done. The first AWS or Claude Code call opens your browser to sign in; 'bsg doctor --profile $BsgProfile' checks the set-up."
                """.formatted(chosen).replace("\n", "\r\n"));
        Files.writeString(out.resolve("README.txt"), """
                bsg: sign in with your company account to use Claude on Amazon Bedrock.

                Linux and macOS:  sh install.sh [PROFILE]
                Windows:          powershell -ExecutionPolicy Bypass -File install.ps1 [-Profile PROFILE]

                Profiles in this bundle: %s (installed by default: %s).
                The runtime in runtime/ is for the system this bundle was built on; on another system the
                launcher needs a Java 21+ (bsg.cmd falls back to java on the PATH).
                """.formatted(String.join(", ", profiles), chosen));
        step("wrote the launchers and installers; the bundle is in " + out + " (" + size(out) / (1024 * 1024) + " MB)");
        return 0;
    }

    /**
     * This bsg and the libraries it runs on, as its build listed them: the end-user tool only, even when a
     * server distribution (or a test) runs it. Jars are copied as they are, a classes directory as a jar.
     */
    private static int copyClasspath(Path lib) throws IOException {
        Set<String> wanted = new HashSet<>();
        try (InputStream list = PackageCommand.class.getResourceAsStream("/META-INF/bsg/runtime-classpath")) {
            if (list == null)
                throw new CliException(
                        "this bsg was built without its list of libraries; rebuild it with ./mvnw install");
            for (String entry : new String(list.readAllBytes(), StandardCharsets.UTF_8)
                    .strip()
                    .split(":")) {
                wanted.add(entry.substring(entry.lastIndexOf('/') + 1));
            }
        }
        Path self = Path.of(URI.create(PackageCommand.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toString()));
        int count = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            String name = path.getFileName().toString();
            if (Files.isRegularFile(path) && (path.equals(self) || wanted.contains(name))) {
                Files.copy(
                        path, lib.resolve(path.equals(self) ? "bsg.jar" : name), StandardCopyOption.REPLACE_EXISTING);
                count++;
            } else if (Files.isDirectory(path) && (path.equals(self) || isModuleOf(path, wanted))) {
                jar(
                        path,
                        lib.resolve(
                                path.equals(self)
                                        ? "bsg.jar"
                                        : "bsg-" + path.getParent().getParent().getFileName() + "-classes.jar"));
                count++;
            }
        }
        return count;
    }

    /** A development build's {@code MODULE/target/classes} of one of our own listed libraries ({@code bsg-MODULE-VERSION.jar}). */
    private static boolean isModuleOf(Path classes, Set<String> wanted) {
        if (!classes.endsWith(Path.of("target", "classes"))) return false;
        String prefix = "bsg-" + classes.getParent().getParent().getFileName() + "-";
        return wanted.stream().anyMatch(name -> name.startsWith(prefix));
    }

    private static void jar(Path classes, Path target) throws IOException {
        try (OutputStream file = Files.newOutputStream(target);
                ZipOutputStream zip = new ZipOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                zip.putNextEntry(
                        new ZipEntry(classes.relativize(path).toString().replace(File.separatorChar, '/')));
                Files.copy(path, zip);
                zip.closeEntry();
            }
        }
    }

    private static void runtime(Path target) throws IOException, InterruptedException {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            throw new CliException("this Java has no jlink (" + System.getProperty("java.home")
                    + "); run bsg package with a full JDK 21+");
        }
        step("building a trimmed Java runtime with jlink (about half a minute)...");
        List<String> command = new ArrayList<>(List.of(
                jlink.toString(),
                "--add-modules",
                String.join(",", MODULES),
                "--strip-debug",
                "--no-header-files",
                "--no-man-pages",
                "--compress",
                "zip-9",
                "--output",
                target.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) throw new CliException("jlink failed: " + output.strip());
        stripNativeSymbols(target);
        step("runtime ready (" + size(target) / (1024 * 1024) + " MB)");
    }

    /**
     * The JVM's shared libraries ship with their symbol tables (a fifth of the runtime); a Linux build strips
     * them when binutils' strip is at hand. Crash reports lose function names, nothing else changes.
     */
    private static void stripNativeSymbols(Path runtime) throws IOException, InterruptedException {
        if (!System.getProperty("os.name", "").startsWith("Linux") || !Files.isExecutable(Path.of("/usr/bin/strip")))
            return;
        List<String> command = new ArrayList<>(List.of("/usr/bin/strip", "--strip-unneeded"));
        try (Stream<Path> walk = Files.walk(runtime.resolve("lib"))) {
            walk.filter(path -> path.getFileName().toString().endsWith(".so"))
                    .forEach(path -> command.add(path.toString()));
        }
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            step("could not strip the runtime's symbol tables; the bundle is a few MB larger");
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    private static void writeExecutable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not POSIX: the installer is run with sh explicitly
        }
    }

    private static void step(String message) {
        System.err.println("bsg: " + message);
    }
}
