package dev.loupe.embedded;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc.OperatorServiceBlockingStub;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure the namespace has the search attributes Loupe's workflows set. Without them every
 * dataset would stall: the server refuses to start an image workflow with an unknown attribute, and
 * the dataset's workflow task fails over and over. A workflow worker (and {@code loupe run} on a
 * cluster) registers missing ones itself through the operator service where the server allows it
 * (the dev server, a self-hosted cluster), and otherwise stops with the commands to run, saying why
 * it could not.
 */
public final class SearchAttributes {
  /** Attribute name → type. */
  static final Map<String, IndexedValueType> REQUIRED = required();

  private SearchAttributes() {}

  private static Map<String, IndexedValueType> required() {
    Map<String, IndexedValueType> required = new LinkedHashMap<>();
    required.put("LoupeDataset", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    required.put("LoupeStatus", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    return required;
  }

  /**
   * Registers the missing attributes through an operator-service connection made like the client's
   * own (TLS, API key and headers included).
   *
   * @param log where registrations and warnings are reported
   * @throws IllegalArgumentException when attributes are missing and the server refused to add
   *     them: names the reason and the commands to create them
   */
  public static void ensureRegistered(WorkflowClient client, PrintStream log) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder(client.getWorkflowServiceStubs().getOptions())
                .validateAndBuildWithDefaults());
    try {
      ensureRegistered(operator.blockingStub(), client.getOptions().getNamespace(), log);
    } finally {
      operator.shutdown();
      operator.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static void ensureRegistered(
      OperatorServiceBlockingStub operator, String namespace, PrintStream log) {
    Set<String> registered;
    try {
      registered =
          operator
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
              .getCustomAttributesMap()
              .keySet();
    } catch (StatusRuntimeException cannotList) {
      // Some hosted namespaces do not let workers list attributes; the README says to create them.
      log.println(
          "loupe: warning: could not check the namespace's search attributes ("
              + cannotList.getStatus().getCode()
              + ": "
              + cannotList.getStatus().getDescription()
              + "); LoupeDataset and LoupeStatus must be registered");
      return;
    }
    Map<String, IndexedValueType> missing = new LinkedHashMap<>(REQUIRED);
    missing.keySet().removeAll(registered);
    if (missing.isEmpty()) {
      return;
    }
    try {
      operator
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(missing)
                  .build());
    } catch (StatusRuntimeException refused) {
      if (refused.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw new IllegalArgumentException(refusal(namespace, missing.keySet(), refused), refused);
      }
      // Another worker registered them at the same moment.
    }
    log.println(
        "loupe: registered the search attributes "
            + String.join(", ", missing.keySet())
            + " in the namespace "
            + namespace);
  }

  private static String refusal(
      String namespace, Set<String> missing, StatusRuntimeException refused) {
    Status.Code code = refused.getStatus().getCode();
    String why =
        switch (code) {
          case PERMISSION_DENIED, UNAUTHENTICATED ->
              "this worker's identity may not change the namespace (as on Temporal Cloud)";
          case UNIMPLEMENTED -> "the server does not offer the operator service here";
          default -> "the server refused";
        };
    List<String> commands =
        missing.stream()
            .map(
                name ->
                    "temporal operator search-attribute create --namespace "
                        + namespace
                        + " --name "
                        + name
                        + " --type Keyword")
            .toList();
    return "the namespace "
        + namespace
        + " lacks the search attributes Loupe's workflows set, and registering them failed: "
        + why
        + " ("
        + code
        + ": "
        + refused.getStatus().getDescription()
        + "). Create them once with:\n  "
        + String.join("\n  ", commands)
        + "\n(on Temporal Cloud: `tcld namespace search-attributes add` or the namespace's page in"
        + " the Cloud UI, type Keyword)";
  }
}
