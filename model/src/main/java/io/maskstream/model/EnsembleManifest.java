package io.maskstream.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskstream.model.InvalidModelException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ensemble.json}, an ensemble bundle's table of contents: the vote and, per member in order, the zip entry
 * holding its full bundle, its version and that bundle's SHA-256. The ensemble's metadata carries this file's SHA-256
 * (where a network's carries its weights'), so the one checksum covers every member's bytes.
 */
record EnsembleManifest(EnsembleVote vote, List<Member> members) {

    /** One member: its bundle's zip entry ({@code members/<i>.bundle}), version and bundle SHA-256. */
    record Member(String entry, String version, String sha256) {
    }

    static final String ENTRY = "ensemble.json";
    static final String MEMBER_PREFIX = "members/";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter WRITER = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    EnsembleManifest {
        members = List.copyOf(members);
    }

    static String memberEntry(int index) {
        return MEMBER_PREFIX + index + ".bundle";
    }

    static EnsembleManifest of(EnsembleVote vote, List<ModelBundle> bundles) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < bundles.size(); i++) {
            members.add(new Member(memberEntry(i), bundles.get(i).metadata().version(), bundles.get(i).sha256()));
        }
        return new EnsembleManifest(vote, members);
    }

    byte[] toBytes() {
        ObjectNode root = JSON.createObjectNode();
        root.put("vote", vote.label());
        ArrayNode list = root.putArray("members");
        for (Member m : members) {
            ObjectNode node = list.addObject();
            node.put("entry", m.entry());
            node.put("version", m.version());
            node.put("sha256", m.sha256());
        }
        try {
            return WRITER.writeValueAsString(root).concat("\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an ensemble manifest", e);
        }
    }

    /** Reads and checks the manifest of ensemble {@code model} ({@code BAD_METADATA} for anything malformed). */
    static EnsembleManifest read(byte[] bytes, String model) throws InvalidModelException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw bad(model, ENTRY + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("vote").isTextual() || !root.path("members").isArray()) {
            throw bad(model, ENTRY + " must hold an object with a \"vote\" string and a \"members\" array");
        }
        EnsembleVote vote;
        try {
            vote = EnsembleVote.parse(root.get("vote").asText());
        } catch (IllegalArgumentException e) {
            throw bad(model, ENTRY + ": " + e.getMessage());
        }
        List<Member> members = new ArrayList<>();
        for (JsonNode node : root.get("members")) {
            String entry = node.path("entry").asText("");
            String version = node.path("version").asText("");
            String sha = node.path("sha256").asText("");
            if (!entry.equals(memberEntry(members.size())) || version.isBlank() || !SHA256.matcher(sha).matches()) {
                throw bad(model, ENTRY + ": member " + members.size() + " must name entry " + memberEntry(members.size())
                        + ", a version and a 64-hex-digit sha256; got " + node);
            }
            members.add(new Member(entry, version, sha));
        }
        if (members.size() < 2) {
            throw bad(model, ENTRY + " lists " + members.size() + " member(s); an ensemble needs at least 2");
        }
        return new EnsembleManifest(vote, members);
    }

    private static InvalidModelException bad(String model, String message) {
        return new InvalidModelException(Reason.BAD_METADATA, model + ": " + message);
    }
}
