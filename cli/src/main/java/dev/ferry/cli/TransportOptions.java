package dev.ferry.cli;

import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.TempFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options that reach the transports: where temporary files go, which transport {@code docker-daemon:} names, and the
 * options the transports declare themselves ({@link TransportFlags}, added to the command when it is built).
 */
public class TransportOptions {
    /** The alias that names the Docker daemon through whichever transport the user picked. */
    static final String DOCKER_DAEMON = "docker-daemon";

    @Option(
            names = "--tmpdir",
            paramLabel = "DIR",
            description = "Where temporary files go (a docker save is spooled there). Default: inside DEST when it"
                    + " is a layout (spooled layers are then linked, not copied), else the system's.")
    Path tmpDir;

    /** The command this mixin is part of: the transports' options are added to it ({@link TransportFlags}). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--docker-transport",
            paramLabel = "api|cli",
            description = "What docker-daemon: uses: the Engine API (api, the default) or the docker command (cli)."
                    + " Default: FERRY_DOCKER_TRANSPORT, else api.")
    String dockerTransport;

    /** The transport {@code docker-daemon:} stands for. */
    String dockerDaemonTarget() throws FerryException {
        String choice = dockerTransport != null ? dockerTransport : System.getenv("FERRY_DOCKER_TRANSPORT");
        if (choice == null || choice.isBlank()) {
            choice = "api";
        }
        return switch (choice.toLowerCase(Locale.ROOT)) {
            case "api", "docker-api" -> "docker-api";
            case "cli", "docker-cli" -> "docker-cli";
            default ->
                throw new UsageException(
                        "--docker-transport (or FERRY_DOCKER_TRANSPORT) is \"" + choice + "\"", "use api or cli");
        };
    }

    /** The registry with {@code docker-daemon:} resolved; plugin warnings go to {@code err}. */
    TransportRegistry registry(Transports transports, PrintWriter err) throws FerryException {
        return transports.registry(err).withAlias(DOCKER_DAEMON, dockerDaemonTarget());
    }

    /** Credentials completed on the terminal, by flag: asked once. */
    private final Map<String, String> asked = new HashMap<>();

    /** Whether this command swept its temporary folder already. */
    private boolean swept;

    /**
     * The settings the transports get, with the {@code --NAME} options given. The first call sweeps the temporary
     * folder (--tmpdir, or the system's) of what killed Ferry commands left there ({@link TempFiles#sweep}: only
     * names of ours whose owner is gone); a layout's own staging is cleaned by its next writer.
     */
    OpenContext context() throws FerryException {
        return TransportFlags.context(command, base(), TransportFlags.Side.BOTH, asked);
    }

    /** The settings of a command's source: {@code --src-NAME} over {@code --NAME}. */
    OpenContext sourceContext() throws FerryException {
        return TransportFlags.context(command, base(), TransportFlags.Side.SOURCE, asked);
    }

    /** The settings of a command's destination: {@code --dest-NAME} over {@code --NAME}. */
    OpenContext destinationContext() throws FerryException {
        return TransportFlags.context(command, base(), TransportFlags.Side.DESTINATION, asked);
    }

    private OpenContext base() throws FerryException {
        OpenContext context = OpenContext.defaults();
        if (tmpDir != null) {
            if (!Files.isDirectory(tmpDir)) {
                throw new FerryException("--tmpdir " + tmpDir + " is not a directory", "create it first");
            }
            context = context.withTmpDir(tmpDir.toAbsolutePath());
        }
        if (!swept) {
            swept = true;
            TempFiles.sweep(context.tmpDir());
        }
        return context;
    }
}
