package dev.loupe.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.contract.FailureType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transport every provider client posts through: hostile answers from a gateway. */
class ProviderHttpTest {
  private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

  @StartStop private final MockWebServer gateway = new MockWebServer();
  @StartStop private final MockWebServer elsewhere = new MockWebServer();

  private ProviderHttp http(long maxResponseBytes) {
    return new ProviderHttp(
        "Test API",
        new OkHttpClient(),
        Duration.ofSeconds(10),
        Clock.systemUTC(),
        maxResponseBytes);
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aRedirectIsRefusedAndTheKeyHeadersNeverReachTheOtherHost(int status) throws Exception {
    gateway.enqueue(
        new MockResponse.Builder()
            .code(status)
            .addHeader("Location", elsewhere.url("/v1/chat/completions").toString())
            .build());
    elsewhere.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    Headers keys =
        Headers.of(
            "Authorization", "Bearer sk-test-redirect-0000",
            "x-api-key", "sk-ant-test-redirect-0000",
            "x-goog-api-key", "goog-test-redirect-0000");

    ProviderException failure =
        catchThrowableOfType(
            ProviderException.class,
            () -> http(1024).post(gateway.url("/v1/chat/completions"), keys, BODY, "x-request-id"));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.getMessage())
        .contains("answered " + status)
        .contains("redirect to http://" + elsewhere.getHostName())
        .contains("not followed");
    assertThat(gateway.getRequestCount()).isEqualTo(1);
    assertThat(elsewhere.getRequestCount()).isZero();
  }

  @Test
  void aBodyDeclaredLargerThanTheCapIsRefusedBeforeItIsRead() {
    gateway.enqueue(new MockResponse.Builder().code(200).body("x".repeat(4096)).build());

    ProviderException failure =
        catchThrowableOfType(
            ProviderException.class,
            () -> http(1024).post(gateway.url("/"), Headers.of(), BODY, "x-request-id"));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("larger than the 1024-byte cap");
  }

  @Test
  void aChunkedBodyThatOutgrowsTheCapIsRefused() {
    Buffer chunked = new Buffer().writeUtf8("y".repeat(8192));
    gateway.enqueue(new MockResponse.Builder().code(200).chunkedBody(chunked, 512).build());

    ProviderException failure =
        catchThrowableOfType(
            ProviderException.class,
            () -> http(1024).post(gateway.url("/"), Headers.of(), BODY, "x-request-id"));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("1024-byte cap");
  }

  @Test
  void aBodyWithinTheCapIsReturnedWhole() throws Exception {
    String answer = "z".repeat(1024);
    gateway.enqueue(new MockResponse.Builder().code(200).body(answer).build());

    ProviderHttp.Reply reply =
        http(1024).post(gateway.url("/"), Headers.of(), BODY, "x-request-id");

    assertThat(reply.successful()).isTrue();
    assertThat(reply.text()).isEqualTo(answer);
  }
}
