package dev.loupe.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts every payload with AES-256-GCM so that captions, URIs and answers are ciphertext in
 * Temporal's history. The whole payload (its metadata and data) is encrypted; the result carries
 * the encoding {@value #ENCODING} and the key's ID in its metadata, and its data is a random 96-bit
 * nonce followed by the ciphertext and the 128-bit tag. The key ID and the format are authenticated
 * too, so a payload whose metadata was swapped fails like a tampered one.
 *
 * <p>With no current key, payloads are written as they are; payloads without this encoding are read
 * as they are; an encrypted payload this process has no key for fails with a message that names the
 * environment variable to set.
 */
public final class EncryptingPayloadCodec implements PayloadCodec {
  /** The metadata {@code encoding} of an encrypted payload (Temporal's samples use the same). */
  public static final String ENCODING = "binary/encrypted";

  /** The metadata key that holds the ID of the key a payload was encrypted with. */
  public static final String KEY_ID_METADATA = "encryption-key-id";

  static final String CIPHER_METADATA = "encryption-cipher";
  private static final String CIPHER_NAME = "AES-256-GCM";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final PayloadKeys keys;
  private final SecureRandom random = new SecureRandom();

  public EncryptingPayloadCodec(PayloadKeys keys) {
    this.keys = keys;
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    if (keys.current().isEmpty()) {
      return payloads;
    }
    PayloadKey key = keys.current().get();
    List<Payload> encoded = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      encoded.add(encrypt(key, payload));
    }
    return encoded;
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    List<Payload> decoded = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      decoded.add(isEncrypted(payload) ? decrypt(payload) : payload);
    }
    return decoded;
  }

  /** Whether a payload was written by this codec. */
  public static boolean isEncrypted(Payload payload) {
    ByteString encoding = payload.getMetadataOrDefault("encoding", ByteString.EMPTY);
    return encoding.toStringUtf8().equals(ENCODING);
  }

  private Payload encrypt(PayloadKey key, Payload payload) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(key.id()));
      sealed = cipher.doFinal(payload.toByteArray());
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("could not encrypt a payload with AES-256-GCM", e);
    }
    byte[] data = new byte[NONCE_BYTES + sealed.length];
    System.arraycopy(nonce, 0, data, 0, NONCE_BYTES);
    System.arraycopy(sealed, 0, data, NONCE_BYTES, sealed.length);
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8(ENCODING))
        .putMetadata(CIPHER_METADATA, ByteString.copyFromUtf8(CIPHER_NAME))
        .putMetadata(KEY_ID_METADATA, ByteString.copyFromUtf8(key.id()))
        .setData(ByteString.copyFrom(data))
        .build();
  }

  private Payload decrypt(Payload payload) {
    String keyId = payload.getMetadataOrDefault(KEY_ID_METADATA, ByteString.EMPTY).toStringUtf8();
    PayloadKey key = keys.byId(keyId).orElseThrow(() -> missingKey(keyId));
    byte[] data = payload.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException(
          "an encrypted payload (key " + keyId + ") is too short to be AES-256-GCM: truncated");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData(keyId));
      plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
    } catch (AEADBadTagException tampered) {
      throw new PayloadCodecException(
          "an encrypted payload failed authentication under key "
              + keyId
              + ": it was altered, or encrypted with a different key under the same ID (check "
              + PayloadKeys.KEY
              + " and "
              + PayloadKeys.PREVIOUS_KEYS
              + ")",
          tampered);
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("could not decrypt a payload with AES-256-GCM", e);
    }
    try {
      return Payload.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException("a decrypted payload is not a Temporal payload", e);
    }
  }

  private PayloadCodecException missingKey(String keyId) {
    if (!keys.enabled()) {
      return new PayloadCodecException(
          "a payload is encrypted (key "
              + keyId
              + ") but "
              + PayloadKeys.KEY
              + " is not set in this process's environment: set it to the key the workers use");
    }
    return new PayloadCodecException(
        "a payload is encrypted with key "
            + keyId
            + ", which this process does not have: add it to "
            + PayloadKeys.PREVIOUS_KEYS
            + " ('"
            + keyId
            + ":<base64>') or set "
            + PayloadKeys.KEY
            + " to it");
  }

  private static byte[] associatedData(String keyId) {
    return (ENCODING + "\0" + CIPHER_NAME + "\0" + keyId).getBytes(StandardCharsets.UTF_8);
  }
}
