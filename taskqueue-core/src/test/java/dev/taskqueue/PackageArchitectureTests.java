package dev.taskqueue;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** How the engine's packages depend on each other. */
class PackageArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.taskqueue");

    /**
     * Each package can be read, tested and changed on its own terms: the client and the worker both use the
     * workflow engine, neither the other.
     */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.taskqueue.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
