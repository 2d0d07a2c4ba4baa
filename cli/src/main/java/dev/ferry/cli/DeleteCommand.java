package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.model.Digest;
import dev.ferry.spi.DeletableImage;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.OperationNotSupportedException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry delete REF}: deletes an image from a registry, a layout or an OCI archive. */
@Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = {
            "Delete an image: a registry manifest by digest (a tag is resolved to its digest first, so every tag of"
                    + " that manifest goes), a layout's ref (removed from index.json under the layout's lock), or"
                    + " an OCI archive's ref (the archive rewritten). Prints the digest deleted.",
            "Blobs stay: `ferry gc oci:DIR` removes those no ref reaches."
        })
public class DeleteCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "REF",
            description = "docker://HOST/NAME:TAG (or @DIGEST), oci:DIR:REF or oci-archive:FILE:REF.")
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
        if (!(ref instanceof DeletableImage deletable)) {
            throw new OperationNotSupportedException(ref.transport().name(), "delete images");
        }
        Digest deleted = deletable.delete(transportOptions.context());
        spec.commandLine().getOut().println(deleted);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
