package dev.ferry.cli;

import dev.ferry.spi.OpenContext;
import dev.ferry.transport.registry.RegistryLogin;
import dev.ferry.transport.registry.RegistrySettings;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry login [HOST]}: checks credentials against a registry and stores them where docker login does. */
@Command(
        name = "login",
        mixinStandardHelpOptions = true,
        description = {
            "Check credentials against a registry, then store them where `docker login` does"
                    + " (--authfile, else ~/.docker/config.json or its credsStore).",
            "HOST defaults to docker.io."
        })
public class LoginCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST[:PORT]", description = "The registry.")
    String host;

    @Option(
            names = {"-u", "--username"},
            paramLabel = "USER",
            description = "The user (asked when missing).")
    String username;

    @Option(names = "--password-stdin", description = "Read the password from the standard input.")
    boolean passwordStdin;

    @Option(
            names = "--authfile",
            paramLabel = "FILE",
            description = "Store them in this file (default:" + " ~/.docker/config.json, DOCKER_CONFIG's).")
    Path authFile;

    @Option(
            names = "--cert-dir",
            paramLabel = "DIR",
            description = "CAs (*.crt) and client certificates (*.cert"
                    + " with *.key) for the registry. Default: /etc/docker/certs.d/HOST[:PORT].")
    Path certDir;

    @Option(
            names = "--tls-verify",
            paramLabel = "BOOL",
            arity = "0..1",
            fallbackValue = "true",
            description = "Verify the registry's certificate (default: true); false also allows plain HTTP.")
    Boolean tlsVerify;

    @Override
    public Integer call() throws Exception {
        String registry = RegistryLogin.registry(host);
        Console console = System.console();
        String user = username;
        if (user == null) {
            if (console == null) {
                throw new UsageException("no --username and no terminal to ask for it", "pass --username USER");
            }
            user = console.readLine("Username: ");
        }
        String password;
        if (passwordStdin) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            password = in.readLine();
        } else if (console != null) {
            char[] typed = console.readPassword("Password: ");
            password = typed == null ? null : new String(typed);
        } else {
            throw new UsageException("no terminal to ask for the password", "pipe it in with --password-stdin");
        }
        if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
            throw new UsageException("a user name and a password are needed", null);
        }
        OpenContext context = OpenContext.defaults();
        if (certDir != null) {
            context = context.withOption(
                    RegistrySettings.CERT_DIR.name(), certDir.toAbsolutePath().toString());
        }
        if (tlsVerify != null) {
            context = context.withOption(RegistrySettings.TLS_VERIFY.name(), tlsVerify.toString());
        }
        RegistryLogin.check(registry, user, password, context);
        String where = RegistryLogin.store(registry, user, password, authFile);
        spec.commandLine().getErr().println("ferry: credentials for " + registry + " stored in " + where);
        spec.commandLine().getOut().println("Login Succeeded");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
