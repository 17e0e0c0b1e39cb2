package dev.loupe.embedded;

import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that the namespace has the search attributes Loupe's workflows set. Without them every
 * dataset would stall: the server refuses to start an image workflow with an unknown attribute, and
 * the dataset's workflow task fails over and over. A workflow worker checks before it polls.
 */
public final class SearchAttributeCheck {
  /** Attribute name → type, as {@code temporal operator search-attribute create} takes them. */
  private static final Map<String, String> REQUIRED =
      Map.of("LoupeDataset", "Keyword", "LoupeStatus", "Keyword");

  private SearchAttributeCheck() {}

  /**
   * @throws IllegalArgumentException naming the missing attributes and the commands to create them
   */
  public static void requireRegistered(WorkflowClient client) {
    String namespace = client.getOptions().getNamespace();
    Set<String> registered;
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(client.getWorkflowServiceStubs().getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      registered =
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
              .getCustomAttributesMap()
              .keySet();
    } catch (RuntimeException cannotList) {
      // Some hosted namespaces do not let workers list attributes; the README says to create them.
      System.err.println(
          "loupe: warning: could not check the namespace's search attributes ("
              + cannotList.getMessage()
              + "); LoupeDataset and LoupeStatus must be registered");
      return;
    } finally {
      operator.shutdown();
    }
    List<String> commands = new ArrayList<>();
    REQUIRED.forEach(
        (name, type) -> {
          if (!registered.contains(name)) {
            commands.add(
                "temporal operator search-attribute create --namespace "
                    + namespace
                    + " --name "
                    + name
                    + " --type "
                    + type);
          }
        });
    if (!commands.isEmpty()) {
      throw new IllegalArgumentException(
          "the namespace "
              + namespace
              + " lacks the search attributes Loupe's workflows set; create them once with:\n  "
              + String.join("\n  ", commands.stream().sorted().toList()));
    }
  }
}
