package dev.loupe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.loupe.contract.ImageInfo;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncryptingPayloadCodecTest {
  private static final String CAPTION =
      "A red fox crosses a snowy field at dawn, its breath visible.";

  @Test
  void payloadsRoundTripThroughTheDataConverterAndAreCiphertextInBetween() {
    PayloadKeys keys = PayloadKeys.of(randomKey("k1"));
    DataConverter converter = PayloadEncryption.dataConverter(keys);

    Payload stored = converter.toPayload(CAPTION).orElseThrow();

    assertThat(stored.getMetadataOrThrow("encoding").toStringUtf8())
        .isEqualTo(EncryptingPayloadCodec.ENCODING);
    assertThat(stored.getMetadataOrThrow(EncryptingPayloadCodec.KEY_ID_METADATA).toStringUtf8())
        .isEqualTo("k1");
    assertThat(new String(stored.toByteArray(), StandardCharsets.ISO_8859_1))
        .doesNotContain("red fox")
        .doesNotContain("json/plain");
    assertThat(converter.fromPayload(stored, String.class, String.class)).isEqualTo(CAPTION);
  }

  @Test
  void recordsRoundTripAndTheSamePayloadEncryptsDifferentlyEachTime() {
    DataConverter converter = PayloadEncryption.dataConverter(PayloadKeys.of(randomKey("k1")));
    ImageInfo image =
        new ImageInfo("s3://bucket/private/cat.jpg", "ab".repeat(32), 640, 480, "jpeg");

    Payload first = converter.toPayload(image).orElseThrow();
    Payload second = converter.toPayload(image).orElseThrow();

    assertThat(first.getData()).isNotEqualTo(second.getData());
    assertThat(first.getData().toStringUtf8()).doesNotContain("s3://bucket");
    assertThat(converter.fromPayload(second, ImageInfo.class, ImageInfo.class)).isEqualTo(image);
  }

  @Test
  void aTamperedPayloadFailsAuthenticationInsteadOfDecodingToGarbage() {
    EncryptingPayloadCodec codec = new EncryptingPayloadCodec(PayloadKeys.of(randomKey("k1")));
    Payload encrypted = codec.encode(List.of(plain(CAPTION))).get(0);
    byte[] data = encrypted.getData().toByteArray();
    data[data.length / 2] ^= 0x01;
    Payload tampered = encrypted.toBuilder().setData(ByteString.copyFrom(data)).build();

    assertThatThrownBy(() -> codec.decode(List.of(tampered)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("failed authentication under key k1")
        .hasMessageContaining("altered");
  }

  @Test
  void aTruncatedPayloadFailsWithAClearMessage() {
    EncryptingPayloadCodec codec = new EncryptingPayloadCodec(PayloadKeys.of(randomKey("k1")));
    Payload encrypted = codec.encode(List.of(plain(CAPTION))).get(0);
    Payload truncated = encrypted.toBuilder().setData(encrypted.getData().substring(0, 10)).build();

    assertThatThrownBy(() -> codec.decode(List.of(truncated)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void relabellingAPayloadWithAnotherKeyIdIsDetected() {
    PayloadKey first = randomKey("k1");
    PayloadKey second = new PayloadKey("k2", first.key());
    EncryptingPayloadCodec writer = new EncryptingPayloadCodec(PayloadKeys.of(first));
    EncryptingPayloadCodec reader = new EncryptingPayloadCodec(PayloadKeys.of(second, first));
    Payload encrypted = writer.encode(List.of(plain(CAPTION))).get(0);
    Payload relabelled =
        encrypted.toBuilder()
            .putMetadata(EncryptingPayloadCodec.KEY_ID_METADATA, ByteString.copyFromUtf8("k2"))
            .build();

    assertThatThrownBy(() -> reader.decode(List.of(relabelled)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("failed authentication under key k2");
  }

  @Test
  void afterARotationOldPayloadsDecryptAndNewOnesUseTheNewKey() {
    PayloadKey old = randomKey("2026-01");
    PayloadKey current = randomKey("2026-06");
    Payload written =
        new EncryptingPayloadCodec(PayloadKeys.of(old)).encode(List.of(plain(CAPTION))).get(0);
    EncryptingPayloadCodec rotated = new EncryptingPayloadCodec(PayloadKeys.of(current, old));

    assertThat(rotated.decode(List.of(written)).get(0).getData().toStringUtf8()).isEqualTo(CAPTION);
    Payload rewritten = rotated.encode(List.of(plain(CAPTION))).get(0);
    assertThat(rewritten.getMetadataOrThrow(EncryptingPayloadCodec.KEY_ID_METADATA).toStringUtf8())
        .isEqualTo("2026-06");
    assertThatThrownBy(
            () -> new EncryptingPayloadCodec(PayloadKeys.of(old)).decode(List.of(rewritten)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("key 2026-06, which this process does not have")
        .hasMessageContaining(PayloadKeys.PREVIOUS_KEYS);
  }

  @Test
  void aProcessWithoutAKeyNamesTheVariableWhenItMeetsAnEncryptedPayload() {
    Payload encrypted =
        new EncryptingPayloadCodec(PayloadKeys.of(randomKey("k1")))
            .encode(List.of(plain(CAPTION)))
            .get(0);
    DataConverter keyless = PayloadEncryption.dataConverter(PayloadKeys.NONE);

    assertThatThrownBy(() -> keyless.fromPayload(encrypted, String.class, String.class))
        .hasMessageContaining("LOUPE_PAYLOAD_KEY is not set");
  }

  @Test
  void withoutAKeyPayloadsStayPlaintextAndPlaintextOnesAreReadWithAKey() {
    Payload plaintext =
        PayloadEncryption.dataConverter(PayloadKeys.NONE).toPayload(CAPTION).orElseThrow();
    assertThat(plaintext.getData().toStringUtf8()).contains("red fox");

    DataConverter withKey = PayloadEncryption.dataConverter(PayloadKeys.of(randomKey("k1")));
    assertThat(withKey.fromPayload(plaintext, String.class, String.class)).isEqualTo(CAPTION);
  }

  @Test
  void keysComeFromTheEnvironmentAndAreNeverPrinted() {
    String material = Base64.getEncoder().encodeToString(bytes(32));
    String old = Base64.getEncoder().encodeToString(bytes(32));
    PayloadKeys keys =
        PayloadKeys.fromEnvironment(
            Map.of(
                "LOUPE_PAYLOAD_KEY",
                material,
                "LOUPE_PAYLOAD_KEY_ID",
                "current",
                "LOUPE_PAYLOAD_PREVIOUS_KEYS",
                "older:" + old));

    assertThat(keys.current().orElseThrow().id()).isEqualTo("current");
    assertThat(keys.byId("older")).isPresent();
    assertThat(keys.toString() + keys.current().orElseThrow())
        .doesNotContain(material)
        .doesNotContain(old);
    assertThat(PayloadKeys.fromEnvironment(Map.of()).enabled()).isFalse();
  }

  @Test
  void aKeyWithoutAnIdGetsOneDerivedFromIt() {
    String material = Base64.getEncoder().encodeToString(bytes(32));
    PayloadKey first =
        PayloadKeys.fromEnvironment(Map.of("LOUPE_PAYLOAD_KEY", material)).current().orElseThrow();
    PayloadKey again =
        PayloadKeys.fromEnvironment(Map.of("LOUPE_PAYLOAD_KEY", material)).current().orElseThrow();

    assertThat(first.id()).startsWith("k-").isEqualTo(again.id());
  }

  @Test
  void malformedKeysAreRejectedNamingTheVariable() {
    assertThatThrownBy(
            () ->
                PayloadKeys.fromEnvironment(
                    Map.of("LOUPE_PAYLOAD_KEY", Base64.getEncoder().encodeToString(bytes(16)))))
        .hasMessageContaining("LOUPE_PAYLOAD_KEY holds 16 bytes; it must hold 32");
    assertThatThrownBy(
            () -> PayloadKeys.fromEnvironment(Map.of("LOUPE_PAYLOAD_KEY", "not base64!")))
        .hasMessageContaining("LOUPE_PAYLOAD_KEY is not base64");
    assertThatThrownBy(
            () ->
                PayloadKeys.fromEnvironment(
                    Map.of(
                        "LOUPE_PAYLOAD_KEY", Base64.getEncoder().encodeToString(bytes(32)),
                        "LOUPE_PAYLOAD_PREVIOUS_KEYS",
                            Base64.getEncoder().encodeToString(bytes(32)))))
        .hasMessageContaining("LOUPE_PAYLOAD_PREVIOUS_KEYS entry 1 is not 'id:base64'");
    assertThatThrownBy(() -> PayloadKeys.fromEnvironment(Map.of("LOUPE_PAYLOAD_KEY_ID", "k1")))
        .hasMessageContaining("LOUPE_PAYLOAD_KEY is not");
  }

  static PayloadKey randomKey(String id) {
    return PayloadKey.fromBase64("test", Base64.getEncoder().encodeToString(bytes(32)), id);
  }

  private static byte[] bytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static Payload plain(String text) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text))
        .build();
  }
}
