package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.spi.GarbageCollectable;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.OperationNotSupportedException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry gc oci:DIR}: removes the blobs no ref of a layout reaches. */
@Command(
        name = "gc",
        mixinStandardHelpOptions = true,
        description = {
            "Remove the blobs no ref of a layout reaches, under the layout's lock: concurrent writers lose nothing"
                    + " (their staging, and the blobs they rely on, are kept). An OCI archive is rewritten."
                    + " Prints what was freed."
        })
public class GcCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LAYOUT", description = "oci:DIR or oci-archive:FILE.")
    String reference;

    @Mixin
    TransportOptions transportOptions;

    @Inject
    Transports transports;

    @Override
    public Integer call() throws Exception {
        ImageReference ref = transportOptions
                .registry(transports, spec.commandLine().getErr())
                .parse(reference);
        if (!(ref instanceof GarbageCollectable store)) {
            throw new OperationNotSupportedException(ref.transport().name(), "collect garbage");
        }
        GarbageCollectable.Result r = store.collectGarbage(transportOptions.context());
        spec.commandLine()
                .getOut()
                .println(
                        "removed " + r.blobsRemoved() + " blobs (" + r.bytesFreed() + " bytes), kept " + r.blobsKept());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
