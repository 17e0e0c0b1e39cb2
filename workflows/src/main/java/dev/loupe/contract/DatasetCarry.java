package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What {@code DatasetWorkflow} carries across continue-as-new: the plan, a cursor, counters and at
 * most one page of listed but not yet started items. Its size does not depend on the number of
 * images.
 *
 * @param plan the plan resolved at the start of the run, so later runs use the same recipe
 * @param runToken the dataset run's token (its first run ID)
 * @param cursor where the source listing goes on
 * @param listingDone whether the source has been read to its end
 * @param pending listed items not yet started (at most a page)
 * @param counts outcome counts so far
 * @param startedAtMillis when the first run of this dataset started
 * @param continuedAsNew how many times the workflow has continued as new
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatasetCarry(
    RunPlan plan,
    String runToken,
    String cursor,
    boolean listingDone,
    List<SourceItem> pending,
    Counts counts,
    long startedAtMillis,
    int continuedAsNew) {}
