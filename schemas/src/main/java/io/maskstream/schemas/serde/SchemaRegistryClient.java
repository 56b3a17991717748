package io.maskstream.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;

/**
 * A small client of the Confluent schema registry REST API: register a schema under a subject, fetch a
 * schema by id, set and test compatibility. Ids and schemas are cached for the life of the client, so
 * once a schema is known the registry can be down without stopping serialization.
 */
public final class SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String baseUrl, String userInfo, Duration timeout) {
        this(baseUrl, userInfo, null, timeout);
    }

    /** @param tls the TLS context of an {@code https} registry signed by a private CA; null: the JVM's default */
    public SchemaRegistryClient(String baseUrl, String userInfo, SSLContext tls, Duration timeout) {
        this.baseUrl = stripTrailingSlash(baseUrl);
        this.authorization = userInfo == null || userInfo.isBlank() ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /** One client (and cache) per URL and credentials in this JVM, as serde instances come and go. */
    public static SchemaRegistryClient shared(String baseUrl, String userInfo) {
        return shared(baseUrl, userInfo, null);
    }

    /**
     * The shared client for serde-style settings: {@code schema.registry.url}, {@code basic.auth.credentials.source}
     * with {@code basic.auth.user.info}, and {@code schema.registry.ssl.truststore.location} ({@code .password},
     * {@code .type}; Confluent's names). A service passes {@code kafkaProperties(...)}, so these are its
     * {@code kafka.*} keys, the same the serdes read.
     */
    public static SchemaRegistryClient shared(Map<String, ?> configs) {
        return SerdeConfig.client(configs);
    }

    static SchemaRegistryClient shared(String baseUrl, String userInfo, Truststore truststore) {
        String key = stripTrailingSlash(baseUrl) + "|" + (userInfo == null ? "" : userInfo) + "|"
                + (truststore == null ? "" : truststore.location());
        return SHARED.computeIfAbsent(key, k -> new SchemaRegistryClient(baseUrl, userInfo,
                truststore == null ? null : truststore.context(), Duration.ofSeconds(10)));
    }

    /** A truststore file (PKCS12 unless {@code type} says otherwise). */
    record Truststore(String location, String password, String type) {

        SSLContext context() {
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(location))) {
                java.security.KeyStore store = java.security.KeyStore.getInstance(type == null || type.isBlank()
                        ? "PKCS12" : type);
                store.load(in, password == null ? null : password.toCharArray());
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                return ctx;
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new org.apache.kafka.common.config.ConfigException(SerdeConfig.TRUSTSTORE_LOCATION, location,
                        "cannot load the schema registry truststore: " + e.getMessage());
            }
        }
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Registers (or finds) {@code schema} under {@code subject} and returns its id. */
    public int register(String subject, Schema schema) {
        String cacheKey = subject + "\u0000" + schema.toString();
        Integer cached = idBySubjectAndSchema.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode reply;
        try {
            reply = call("POST", "/subjects/" + encode(subject) + "/versions", body.toString());
        } catch (SchemaRegistryException e) {
            // Two writers registering a new subject at once: Apicurio answers 409 to the loser, although the
            // schema is now there. An incompatible schema is also a 409, and then the lookup finds nothing.
            if (e.status() == 409) {
                Optional<Integer> existing = lookup(subject, schema);
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            throw e;
        }
        int id = reply.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("Registry at " + baseUrl + " returned no id for subject " + subject + ": " + reply, null, 200);
        }
        idBySubjectAndSchema.put(cacheKey, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    /** The id under which {@code schema} is already registered for {@code subject}, without registering it. */
    public Optional<Integer> lookup(String subject, Schema schema) {
        String cacheKey = subject + "\u0000" + schema.toString();
        Integer cached = idBySubjectAndSchema.get(cacheKey);
        if (cached != null) {
            return Optional.of(cached);
        }
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        try {
            JsonNode reply = call("POST", "/subjects/" + encode(subject), body.toString());
            int id = reply.path("id").asInt();
            idBySubjectAndSchema.put(cacheKey, id);
            return Optional.of(id);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The schema with this id, fetched once and then cached. */
    public Schema schemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = call("GET", "/schemas/ids/" + id, null);
        Schema schema = new Schema.Parser().parse(reply.path("schema").asText());
        schemaById.put(id, schema);
        return schema;
    }

    /** Sets the compatibility level (BACKWARD, FORWARD, FULL, NONE…) of a subject. */
    public void setCompatibility(String subject, String level) {
        call("PUT", "/config/" + encode(subject), JSON.createObjectNode().put("compatibility", level).toString());
    }

    /** Whether {@code schema} would be accepted as the next version of {@code subject} under its rules. */
    public boolean isCompatible(String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode reply = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", body.toString());
        return reply.path("is_compatible").asBoolean(false);
    }

    /** Throws a {@link SchemaRegistryException} with a readable message unless the registry answers. */
    public void checkReachable() {
        call("GET", "/subjects", null);
    }

    private JsonNode call(String method, String path, String body) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        if (body != null) {
            req.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new SchemaRegistryException("Schema registry at " + baseUrl + " is unreachable (connection refused);"
                    + " check schema.registry.url", e, -1);
        } catch (IOException e) {
            throw new SchemaRegistryException("Schema registry at " + baseUrl + " is unreachable: " + e, e, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted calling the schema registry", e, -1);
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException("Schema registry " + method + " " + path + " failed with HTTP "
                    + response.statusCode() + ": " + response.body(), null, response.statusCode());
        }
        try {
            return JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("Schema registry answered with invalid JSON: " + e.getMessage(), e,
                    response.statusCode());
        }
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
