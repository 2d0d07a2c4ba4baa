package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import dev.ferry.transport.registry.RegistryLogin;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry logout [HOST]}: removes the credentials {@code ferry login} or {@code docker login} stored. */
@Command(
        name = "logout",
        mixinStandardHelpOptions = true,
        description = "Remove the stored credentials of a registry (HOST defaults to docker.io).")
public class LogoutCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST[:PORT]", description = "The registry.")
    String host;

    @Option(names = "--authfile", paramLabel = "FILE", description = "The auth file (default: ~/.docker/config.json).")
    Path authFile;

    @Override
    public Integer call() throws Exception {
        String registry = RegistryLogin.registry(host);
        if (!RegistryLogin.erase(registry, authFile)) {
            throw new FerryException(
                    "not logged in to " + registry + " (nothing in " + RegistryLogin.authFile(authFile) + ")", null);
        }
        spec.commandLine().getOut().println("Removed login credentials for " + registry);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
