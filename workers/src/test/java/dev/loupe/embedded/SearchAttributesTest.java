package dev.loupe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.AddSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a fake operator service over gRPC: what a worker does when the namespace lacks Loupe's
 * search attributes. The real dev server's side is covered by {@code
 * SearchAttributeRegistrationIT}.
 */
class SearchAttributesTest {
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void missingAttributesAreRegisteredWhereTheServerAllowsIt() throws IOException {
    FakeOperatorService fake = new FakeOperatorService(Map.of("LoupeDataset", keyword()), null);

    SearchAttributes.ensureRegistered(stub(fake), "loupe", print());

    assertThat(fake.added).hasSize(1);
    assertThat(fake.added.get(0).getNamespace()).isEqualTo("loupe");
    assertThat(fake.added.get(0).getSearchAttributesMap()).containsOnlyKeys("LoupeStatus");
    assertThat(log())
        .contains("registered the search attributes LoupeStatus in the namespace loupe");
  }

  @Test
  void registeredAttributesAreLeftAlone() throws IOException {
    FakeOperatorService fake =
        new FakeOperatorService(Map.of("LoupeDataset", keyword(), "LoupeStatus", keyword()), null);

    SearchAttributes.ensureRegistered(stub(fake), "default", print());

    assertThat(fake.added).isEmpty();
    assertThat(log()).isEmpty();
  }

  @Test
  void whereRegisteringIsDeniedTheWorkerStopsWithTheCommandsAndTheReason() throws IOException {
    FakeOperatorService fake =
        new FakeOperatorService(
            Map.of(), Status.PERMISSION_DENIED.withDescription("Request unauthorized"));

    assertThatThrownBy(() -> SearchAttributes.ensureRegistered(stub(fake), "prod.a1b2c", print()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the namespace prod.a1b2c lacks the search attributes")
        .hasMessageContaining("may not change the namespace (as on Temporal Cloud)")
        .hasMessageContaining("PERMISSION_DENIED: Request unauthorized")
        .hasMessageContaining(
            "temporal operator search-attribute create --namespace prod.a1b2c --name LoupeDataset"
                + " --type Keyword")
        .hasMessageContaining(
            "temporal operator search-attribute create --namespace prod.a1b2c --name LoupeStatus"
                + " --type Keyword");
  }

  @Test
  void aRaceWithAnotherWorkerRegisteringThemIsFine() throws IOException {
    FakeOperatorService fake = new FakeOperatorService(Map.of(), Status.ALREADY_EXISTS);

    SearchAttributes.ensureRegistered(stub(fake), "default", print());

    assertThat(log()).contains("registered the search attributes LoupeDataset, LoupeStatus");
  }

  private OperatorServiceGrpc.OperatorServiceBlockingStub stub(FakeOperatorService fake)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return OperatorServiceGrpc.newBlockingStub(channel);
  }

  private PrintStream print() {
    return new PrintStream(log, true, StandardCharsets.UTF_8);
  }

  private String log() {
    return log.toString(StandardCharsets.UTF_8);
  }

  private static IndexedValueType keyword() {
    return IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  }

  /**
   * An operator service with some attributes registered that answers adds with {@code addError}.
   */
  private static final class FakeOperatorService
      extends OperatorServiceGrpc.OperatorServiceImplBase {
    final Map<String, IndexedValueType> registered;
    final Status addError;
    final List<AddSearchAttributesRequest> added = new ArrayList<>();

    FakeOperatorService(Map<String, IndexedValueType> registered, Status addError) {
      this.registered = new HashMap<>(registered);
      this.addError = addError;
    }

    @Override
    public void listSearchAttributes(
        ListSearchAttributesRequest request,
        StreamObserver<ListSearchAttributesResponse> response) {
      response.onNext(
          ListSearchAttributesResponse.newBuilder().putAllCustomAttributes(registered).build());
      response.onCompleted();
    }

    @Override
    public void addSearchAttributes(
        AddSearchAttributesRequest request, StreamObserver<AddSearchAttributesResponse> response) {
      if (addError != null) {
        response.onError(addError.asRuntimeException());
        return;
      }
      added.add(request);
      registered.putAll(request.getSearchAttributesMap());
      response.onNext(AddSearchAttributesResponse.getDefaultInstance());
      response.onCompleted();
    }
  }
}
