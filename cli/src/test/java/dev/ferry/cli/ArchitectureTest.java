package dev.ferry.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture table of docs/architecture.md, enforced: which package of Ferry may use which. A new import that breaks a
 * rule fails the build, so the table cannot drift from the code again.
 */
class ArchitectureTest {
    /** Every package of Ferry's own code (tests and the sample plugins excluded). */
    private static final List<String> FERRY = List.of(
            "dev.ferry.internal",
            "dev.ferry.model",
            "dev.ferry.spi",
            "dev.ferry.spi.support",
            "dev.ferry.engine",
            "dev.ferry.rootfs",
            "dev.ferry.build",
            "dev.ferry.service",
            "dev.ferry.docker",
            "dev.ferry.transport",
            "dev.ferry.conformance",
            "dev.ferry.api",
            "dev.ferry.cli");

    private static JavaClasses classes;

    @BeforeAll
    static void importFerry() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ferry");
    }

    /** Classes in {@code pkg} (not its sub-packages) may use only {@code allowed} of Ferry's packages. */
    private static ArchRule only(String pkg, String... allowed) {
        Set<String> ok = Set.of(allowed);
        List<String> forbidden = new ArrayList<>();
        for (String p : FERRY) {
            if (!p.equals(pkg) && !ok.contains(p)) {
                forbidden.add(p.equals("dev.ferry.transport") ? p + ".." : p);
            }
        }
        return noClasses()
                .that()
                .resideInAPackage(pkg.equals("dev.ferry.transport") ? pkg + ".." : pkg)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden.toArray(String[]::new))
                .because(pkg + " may use only "
                        + (allowed.length == 0 ? "no other package of Ferry" : String.join(", ", allowed)));
    }

    @Test
    void internalIsALeaf() {
        only("dev.ferry.internal").check(classes);
    }

    @Test
    void theModelUsesOnlyTheInternalCodec() {
        only("dev.ferry.model", "dev.ferry.internal").check(classes);
    }

    @Test
    void theSpiSeesOnlyTheModel() {
        only("dev.ferry.spi", "dev.ferry.model", "dev.ferry.spi.support").check(classes);
        only("dev.ferry.spi.support", "dev.ferry.model", "dev.ferry.spi").check(classes);
    }

    @Test
    void theEnginesSitOnTheSpi() {
        only("dev.ferry.engine", "dev.ferry.model", "dev.ferry.spi", "dev.ferry.spi.support", "dev.ferry.internal")
                .check(classes);
        only("dev.ferry.rootfs", "dev.ferry.model", "dev.ferry.spi", "dev.ferry.spi.support", "dev.ferry.internal")
                .check(classes);
        only(
                        "dev.ferry.build",
                        "dev.ferry.model",
                        "dev.ferry.spi",
                        "dev.ferry.spi.support",
                        "dev.ferry.internal",
                        "dev.ferry.rootfs")
                .check(classes);
    }

    /**
     * Built-in transports are held to the plugin rules: what a stranger's transport cannot use, ours do not. They
     * do not use the kit either: their jars are on every command's class path, the kit only on that of {@code
     * ferry conformance} (their fixtures are in {@code dev.ferry.conformance.fixtures}, beside the kit).
     */
    @Test
    void transportsUseOnlyWhatAPluginMay() {
        only("dev.ferry.docker", "dev.ferry.model", "dev.ferry.spi", "dev.ferry.spi.support")
                .check(classes);
        only("dev.ferry.transport", "dev.ferry.model", "dev.ferry.spi", "dev.ferry.spi.support", "dev.ferry.docker")
                .check(classes);
    }

    /**
     * The CLI reaches the kit by name only, from the class loader {@code ferry conformance} makes for it: a class of
     * the CLI linked against the kit would compile (the kit is a provided dependency) and fail at run time.
     */
    @Test
    void theCliNeverLinksAgainstTheKit() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.ferry.cli..", "dev.ferry.api..", "dev.ferry.engine..", "dev.ferry.service..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.ferry.conformance..", "org.junit..", "org.opentest4j..")
                .because("the kit and JUnit are on the class path of ferry conformance only")
                .check(classes);
    }

    /** The kit is published for transport authors: it writes through the SPI itself, never through the engine. */
    @Test
    void theKitUsesOnlyTheSpi() {
        only("dev.ferry.conformance", "dev.ferry.model", "dev.ferry.spi", "dev.ferry.spi.support")
                .check(classes);
    }

    /** The use cases combine the engines; the library's entry point calls them, never the command line. */
    @Test
    void useCasesAndTheLibraryApiSitOnTheEngines() {
        only(
                        "dev.ferry.service",
                        "dev.ferry.model",
                        "dev.ferry.spi",
                        "dev.ferry.spi.support",
                        "dev.ferry.engine",
                        "dev.ferry.rootfs",
                        "dev.ferry.build",
                        "dev.ferry.internal")
                .check(classes);
        only(
                        "dev.ferry.api",
                        "dev.ferry.model",
                        "dev.ferry.spi",
                        "dev.ferry.spi.support",
                        "dev.ferry.engine",
                        "dev.ferry.rootfs",
                        "dev.ferry.build",
                        "dev.ferry.service",
                        "dev.ferry.internal")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.ferry.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theRulesSeeEveryPackage() {
        // a rule about a package that no longer exists, or code in a package no rule names, would pass silently
        for (String pkg : FERRY) {
            boolean present = classes.stream()
                    .anyMatch(c ->
                            c.getPackageName().equals(pkg) || c.getPackageName().startsWith(pkg + "."));
            if (!present) {
                throw new AssertionError("no class of " + pkg + " was imported");
            }
        }
        Stream.of(classes.toArray(new JavaClass[0]))
                .map(c -> c.getPackageName())
                .filter(p -> FERRY.stream().noneMatch(f -> p.equals(f) || p.startsWith(f + ".")))
                .filter(p -> !p.startsWith("dev.ferry.sample") && !p.startsWith("dev.ferry.bench"))
                .findFirst()
                .ifPresent(p -> {
                    throw new AssertionError("package " + p + " is in no rule of this test; add it");
                });
    }
}
