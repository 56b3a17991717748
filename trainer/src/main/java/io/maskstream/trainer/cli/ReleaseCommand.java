package io.maskstream.trainer.cli;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.InvalidModelException;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.trainer.Releases;
import io.maskstream.trainer.TrainerConfig;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code maskstream release list|promote|rollback|shadow|canary|retire|keygen|sign|verify}. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Model releases: list, promote, roll back, put on trial (shadow, canary) and retire; sign and verify them.",
        subcommands = {ReleaseCommand.ListReleases.class, ReleaseCommand.Promote.class, ReleaseCommand.Rollback.class,
                ReleaseCommand.Shadow.class, ReleaseCommand.Canary.class, ReleaseCommand.Retire.class,
                ReleaseCommand.Keygen.class, ReleaseCommand.Sign.class, ReleaseCommand.Verify.class})
public final class ReleaseCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every release with its status and metrics.")
    static final class ListReleases implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Override
        public Integer call() {
            System.out.printf(Locale.ROOT, "%-28s %-9s %-9s %9s %9s  %-24s %s%n", "version", "status", "arch", "macro-F1",
                    "accuracy", "created", "notes");
            for (ModelRelease r : new Releases(new TrainerConfig(config.source())).list()) {
                System.out.printf(Locale.ROOT, "%-28s %-9s %-9s %9s %9s  %-24s %s%n", r.getVersion(), r.getStatus(),
                        r.getArchitecture(), r.getMetrics() == null ? "-" : String.format(Locale.ROOT, "%.4f",
                                r.getMetrics().getMacroF1()), r.getMetrics() == null ? "-" : String.format(Locale.ROOT, "%.4f",
                                r.getMetrics().getAccuracy()), r.getCreatedTime(), (r.getEnsemble() == null ? ""
                                : Releases.describeModel(r) + "; ") + (r.getNotes() == null ? "" : r.getNotes()));
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make a release ACTIVE without the gate (the gate runs when a model is trained).")
    static final class Promote implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;
        @Option(names = "--force", description = "Required: acknowledges that the promotion gate is skipped.")
        boolean force;

        @Override
        public Integer call() {
            if (!force) {
                System.err.println("The promotion gate runs when a model is trained; to activate " + version
                        + " regardless of its metrics, add --force.");
                return 2;
            }
            ModelRelease r = new Releases(new TrainerConfig(config.source())).promote(version);
            System.out.println(r.getVersion() + " is ACTIVE");
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Re-activate the given release, or the most recently retired one; retire the active one.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION")
        String version;

        @Override
        public Integer call() {
            ModelRelease r = new Releases(new TrainerConfig(config.source())).rollback(version);
            System.out.println(r.getVersion() + " is ACTIVE again");
            return 0;
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = "Run a release beside the active model on every frame, its events on the shadow topic only; "
                    + "with evaluation.shadow.promote the online evaluation promotes it after its shadow period.")
    static final class Shadow implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;

        @Override
        public Integer call() {
            ModelRelease r = new Releases(new TrainerConfig(config.source())).shadow(version);
            System.out.println(r.getVersion() + " is SHADOW");
            return 0;
        }
    }

    @Command(name = "canary", mixinStandardHelpOptions = true,
            description = "Serve a release to a share of the cameras (the active model serves the rest); the online "
                    + "evaluation rolls it back when its live F1 or agreement falls below evaluation.canary.min.*.")
    static final class Canary implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;
        @Option(names = "--share", required = true, paramLabel = "SHARE",
                description = "Share of cameras (0 < SHARE <= 1) the canary serves, chosen stably by camera id.")
        double share;

        @Override
        public Integer call() {
            ModelRelease r = new Releases(new TrainerConfig(config.source())).canary(version, share);
            System.out.println(r.getVersion() + " is CANARY on " + share + " of cameras");
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "End a SHADOW or CANARY release's trial: processors stop serving it at once.")
    static final class Retire implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;

        @Override
        public Integer call() {
            new Releases(new TrainerConfig(config.source())).retire(version);
            System.out.println(version + " is RETIRED");
            return 0;
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Write a new Ed25519 key pair for signing releases: " + ReleaseSignatures.PRIVATE_KEY_FILE
                    + " (for trainer.release.signing.key; keep it secret) and " + ReleaseSignatures.PUBLIC_KEY_FILE
                    + " (for processor.release.trusted.keys).")
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write both files into.")
        Path out;

        @Override
        public Integer call() throws Exception {
            KeyPair pair = ReleaseSignatures.generateKeyPair();
            ReleaseSignatures.writeKeyPair(pair, out);
            System.out.println("key id " + ReleaseSignatures.keyId(pair.getPublic()) + ": private key "
                    + out.resolve(ReleaseSignatures.PRIVATE_KEY_FILE) + ", public key " + out.resolve(ReleaseSignatures.PUBLIC_KEY_FILE));
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Re-publish a release signed (status unchanged), after checking its artifact matches its SHA-256.")
    static final class Sign implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;
        @Option(names = "--key", paramLabel = "PRIVATE_KEY",
                description = "Ed25519 private key file (PKCS#8 PEM or DER); default: trainer.release.signing.key.")
        Path key;

        @Override
        public Integer call() {
            TrainerConfig trainer = new TrainerConfig(config.source());
            ReleaseSignatures.SigningKey signingKey = key != null ? ReleaseSignatures.SigningKey.read(key)
                    : trainer.signingKey().orElse(null);
            if (signingKey == null) {
                System.err.println("No key: give --key FILE or set " + TrainerConfig.SIGNING_KEY);
                return 2;
            }
            ModelRelease r = new Releases(trainer).sign(version, signingKey);
            System.out.println(r.getVersion() + " is signed by key " + signingKey.keyId());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check each release's signature (or one release's) against trusted public keys; exit 1 if any "
                    + "does not verify.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION")
        String version;
        @Option(names = "--trusted-key", required = true, paramLabel = "PUBLIC_KEY",
                description = "Ed25519 public key file (X.509 PEM or DER). Repeatable.")
        List<Path> trustedKeys;

        @Override
        public Integer call() {
            ReleaseSignatures.TrustedKeys trusted = ReleaseSignatures.TrustedKeys.read(trustedKeys);
            List<ModelRelease> releases = new Releases(new TrainerConfig(config.source())).list().stream()
                    .filter(r -> version == null || r.getVersion().equals(version)).toList();
            if (releases.isEmpty()) {
                System.err.println(version == null ? "No releases" : "No release " + version);
                return 2;
            }
            int bad = 0;
            System.out.printf(Locale.ROOT, "%-28s %-9s %-20s %-16s %s%n", "version", "status", "signature", "key id", "detail");
            for (ModelRelease r : releases) {
                String keyId = r.getSignature() == null ? "-" : r.getSignature().getKeyId();
                String result;
                String detail = "";
                try {
                    trusted.verify(r, true);
                    result = "OK";
                } catch (InvalidModelException e) {
                    result = e.reason().name();
                    detail = e.getMessage();
                    bad++;
                }
                System.out.printf(Locale.ROOT, "%-28s %-9s %-20s %-16s %s%n", r.getVersion(), r.getStatus(), result, keyId,
                        detail);
            }
            return bad == 0 ? 0 : 1;
        }
    }
}
