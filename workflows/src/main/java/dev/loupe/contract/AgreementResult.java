package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param agree whether the answers agree in substance
 * @param detail the judge's short explanation
 * @param call the paid call
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgreementResult(boolean agree, String detail, ModelCall call)
    implements ModelCallResult {}
