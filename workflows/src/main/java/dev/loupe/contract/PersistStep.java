package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Input of {@link ImageStepActivities#persist(PersistStep)}.
 *
 * @param record what to write as the image's record
 * @param reportDone whether to signal the image's dataset ({@link ImageTask#signalsDoneOrFalse()})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PersistStep(PersistRequest record, boolean reportDone) {}
