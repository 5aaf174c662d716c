package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.ComposeProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's "Run it for real" walkthrough, run as written: the shell block after its walkthrough marker goes
 * to bash from the checkout, with HOME in a scratch folder so ~/bsg is the test's own.
 */
class WalkthroughIT {
    @Test
    void theReadmesWalkthroughRunsAsWritten() throws Exception {
        Podman.require();
        ComposeProxy.require(Path.of("/usr/bin/docker-compose"), "docker-compose (apt-get install docker-compose)");
        ComposeProxy.require(Path.of("/usr/bin/kubectl"), "kubectl (the Kubernetes project's packages)");
        Path root = ComposeProxy.ROOT;
        String readme = Files.readString(root.resolve("README.md"));
        int marker = readme.indexOf("<!-- walkthrough -->");
        assertThat(marker).as("the README marks its walkthrough").isPositive();
        int start = readme.indexOf("```sh\n", marker) + "```sh\n".length();
        String script = readme.substring(start, readme.indexOf("\n```", start));
        assertThat(script).contains("bsg init").contains("deploy/container/build");

        Path home = Files.createTempDirectory("bsg-walkthrough");
        Path log = home.resolve("walkthrough.log");
        ProcessBuilder bash = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", script)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        bash.environment().put("HOME", home.toString());
        Process process = bash.start();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue())
                .as("the walkthrough:\n%s", Files.readString(log))
                .isZero();

        Path bsg = home.resolve("bsg");
        assertThat(bsg.resolve("gateway.yaml")).exists();
        assertThat(bsg.resolve("org.yaml")).exists();
        assertThat(bsg.resolve("aws/gateway-role.parameters.json")).exists();
        assertThat(bsg.resolve("aws/direct-oidc.parameters.json")).exists();
        assertThat(Files.readString(log)).contains("aws cloudformation deploy --stack-name bsg-gateway-role");
        assertThat(Podman.podman("image", "exists", "localhost/bsg-gateway:0.1.0")
                        .exit())
                .isZero();
    }
}
