package dev.loupe.codec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The payload keys of a process: the current one, which encrypts, and every configured one, which
 * decrypt. Rotating a key means making the new key current and keeping the old one as previous
 * until no running workflow's history holds payloads encrypted with it.
 *
 * <p>From the environment: {@value #KEY} (base64 of 32 bytes) with an optional {@value #KEY_ID},
 * and {@value #PREVIOUS_KEYS}, a comma-separated list of {@code id:base64} entries.
 */
public final class PayloadKeys {
  public static final String KEY = "LOUPE_PAYLOAD_KEY";
  public static final String KEY_ID = "LOUPE_PAYLOAD_KEY_ID";
  public static final String PREVIOUS_KEYS = "LOUPE_PAYLOAD_PREVIOUS_KEYS";

  /** No keys: payloads stay plaintext, and an encrypted one cannot be read. */
  public static final PayloadKeys NONE = new PayloadKeys(null, Map.of());

  private final PayloadKey current;
  private final Map<String, PayloadKey> byId;

  private PayloadKeys(PayloadKey current, Map<String, PayloadKey> byId) {
    this.current = current;
    this.byId = Map.copyOf(byId);
  }

  /**
   * @param current encrypts new payloads
   * @param previous decrypt payloads written before a rotation
   */
  public static PayloadKeys of(PayloadKey current, PayloadKey... previous) {
    Map<String, PayloadKey> byId = new LinkedHashMap<>();
    byId.put(current.id(), current);
    for (PayloadKey key : previous) {
      if (byId.putIfAbsent(key.id(), key) != null) {
        throw new IllegalArgumentException(
            "two payload keys have the ID '"
                + key.id()
                + "': give the keys of "
                + PREVIOUS_KEYS
                + " IDs of their own ('id:base64')");
      }
    }
    return new PayloadKeys(current, byId);
  }

  /**
   * The keys the environment sets, or {@link #NONE}.
   *
   * @throws IllegalArgumentException naming the variable that is malformed
   */
  public static PayloadKeys fromEnvironment(Map<String, String> env) {
    String key = blankToNull(env.get(KEY));
    String previous = blankToNull(env.get(PREVIOUS_KEYS));
    if (key == null) {
      if (previous != null || blankToNull(env.get(KEY_ID)) != null) {
        throw new IllegalArgumentException(
            PREVIOUS_KEYS
                + " or "
                + KEY_ID
                + " is set but "
                + KEY
                + " is not: set the current key");
      }
      return NONE;
    }
    PayloadKey current = PayloadKey.fromBase64(KEY, key, blankToNull(env.get(KEY_ID)));
    if (previous == null) {
      return of(current);
    }
    String[] entries = previous.split(",");
    PayloadKey[] older = new PayloadKey[entries.length];
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].strip();
      int colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            PREVIOUS_KEYS + " entry " + (i + 1) + " is not 'id:base64' (e.g. 'k1:<32 bytes>')");
      }
      older[i] =
          PayloadKey.fromBase64(
              PREVIOUS_KEYS + " entry " + (i + 1),
              entry.substring(colon + 1),
              entry.substring(0, colon));
    }
    return of(current, older);
  }

  /** Only the payload-key variables of an environment. */
  public static Map<String, String> variables(Map<String, String> env) {
    Map<String, String> variables = new LinkedHashMap<>();
    for (String name : new String[] {KEY, KEY_ID, PREVIOUS_KEYS}) {
      if (env.get(name) != null) {
        variables.put(name, env.get(name));
      }
    }
    return variables;
  }

  /** The key that encrypts new payloads, if any. */
  public Optional<PayloadKey> current() {
    return Optional.ofNullable(current);
  }

  /** The key with this ID, if this process has it. */
  public Optional<PayloadKey> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public boolean enabled() {
    return current != null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  @Override
  public String toString() {
    return "PayloadKeys[current="
        + (current == null ? "none" : current.id())
        + ", ids="
        + byId.keySet()
        + "]";
  }
}
