package dev.loupe.contract;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The sharded part of a dataset's export (WebDataset, Parquet), on {@link TaskQueues#WORKFLOWS},
 * workflow type {@code ShardExportWorkflow}: a child of {@code DatasetWorkflow}, so the dataset's
 * history holds one event pair however many shards there are. Plans the shards once, writes each
 * with one activity on the CPU pool (a bounded number at a time), continues as new every few
 * hundred shards, then finishes (skipped list, dataset card).
 */
@WorkflowInterface
public interface ShardExportWorkflow {
  String TYPE = "ShardExportWorkflow";

  @WorkflowMethod(name = TYPE)
  ShardsResult export(ShardExportRequest request);
}
