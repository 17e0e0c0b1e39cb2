package dev.loupe.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CodecServerTest {
  private static final String UI = "http://localhost:8080";
  private static final String CAPTION = "\"A lighthouse on a cliff under a storm\"";

  private final HttpClient http = HttpClient.newHttpClient();
  private final EncryptingPayloadCodec codec =
      new EncryptingPayloadCodec(PayloadKeys.of(EncryptingPayloadCodecTest.randomKey("k1")));
  private CodecServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void decodeReturnsThePlaintextOfEncryptedPayloads() throws Exception {
    server = start(null);
    Payload encrypted = codec.encode(List.of(plain(CAPTION))).get(0);

    HttpResponse<String> response = post("/decode", payloadsJson(encrypted), "default", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    Payloads decoded = parse(response.body());
    assertThat(decoded.getPayloads(0).getData().toStringUtf8()).isEqualTo(CAPTION);
    assertThat(decoded.getPayloads(0).getMetadataOrThrow("encoding").toStringUtf8())
        .isEqualTo("json/plain");
  }

  @Test
  void encodeThenDecodeGivesTheSamePayloadsBack() throws Exception {
    server = start(null);

    HttpResponse<String> encoded = post("/encode", payloadsJson(plain(CAPTION)), null, null);
    assertThat(encoded.statusCode()).isEqualTo(200);
    assertThat(encoded.body()).doesNotContain("lighthouse");
    assertThat(parse(encoded.body()).getPayloads(0).getMetadataOrThrow("encoding").toStringUtf8())
        .isEqualTo(EncryptingPayloadCodec.ENCODING);

    HttpResponse<String> decoded = post("/decode", encoded.body(), null, null);
    assertThat(parse(decoded.body()).getPayloads(0)).isEqualTo(plain(CAPTION));
  }

  @Test
  void theUiOriginGetsCorsAnswersAndOtherOriginsDoNot() throws Exception {
    server = start(null);

    HttpResponse<String> preflight =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/decode"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", UI)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-namespace")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("X-Namespace")
        .contains("Content-Type");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

    HttpResponse<String> elsewhere =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/decode"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"payloads\":[]}"))
                .header("Origin", "http://evil.example")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(elsewhere.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void withATokenRequestsWithoutItAreRefused() throws Exception {
    server = start("s3cret-token");
    String body = payloadsJson(codec.encode(List.of(plain(CAPTION))).get(0));

    assertThat(post("/decode", body, null, null).statusCode()).isEqualTo(401);
    assertThat(post("/decode", body, null, "Bearer wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> allowed = post("/decode", body, null, "Bearer s3cret-token");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).doesNotContain("s3cret-token");
  }

  @Test
  void anotherNamespaceIsRefused() throws Exception {
    server = start(null);
    HttpResponse<String> response = post("/decode", "{\"payloads\":[]}", "other", null);
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("serves the namespace default");
  }

  @Test
  void malformedBodiesAndTamperedPayloadsGetA400WithTheReason() throws Exception {
    server = start(null);
    HttpResponse<String> malformed = post("/decode", "{\"payloads\": 7", null, null);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("is not {\"payloads\": [...]}");

    Payload encrypted = codec.encode(List.of(plain(CAPTION))).get(0);
    byte[] data = encrypted.getData().toByteArray();
    data[20] ^= 0x10;
    Payload tampered = encrypted.toBuilder().setData(ByteString.copyFrom(data)).build();
    HttpResponse<String> refused = post("/decode", payloadsJson(tampered), null, null);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("failed authentication");
  }

  @Test
  void aBodyOverTheLimitIsRefusedWithoutBeingDecoded() throws Exception {
    server = start(null);
    String huge = "{\"payloads\":[{\"data\":\"" + "A".repeat(CodecServer.MAX_BODY_BYTES) + "\"}]}";

    HttpResponse<String> response = post("/decode", huge, null, null);

    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void onlyPostAndOptionsAreServed() throws Exception {
    server = start(null);
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/decode")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }

  private CodecServer start(String token) throws IOException {
    return CodecServer.start(
        InetAddress.getLoopbackAddress(), 0, codec, "default", Set.of(UI), token);
  }

  private HttpResponse<String> post(String path, String body, String namespace, String auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .header("Origin", UI);
    if (namespace != null) {
      request.header("X-Namespace", namespace);
    }
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String payloadsJson(Payload payload) throws IOException {
    return JsonFormat.printer().print(Payloads.newBuilder().addPayloads(payload).build());
  }

  private static Payloads parse(String json) throws IOException {
    Payloads.Builder builder = Payloads.newBuilder();
    JsonFormat.parser().merge(json, builder);
    return builder.build();
  }

  private static Payload plain(String json) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(json))
        .build();
  }
}
