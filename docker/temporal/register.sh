#!/bin/sh
# Creates the namespace and the search attributes Loupe's workflows set (idempotent), once the
# Temporal server answers.
set -eu
: "${TEMPORAL_ADDRESS:=temporal:7233}" "${TEMPORAL_NAMESPACE:=default}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS"
  sleep 2
done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" \
  >/dev/null 2>&1 ||
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE"
for attribute in LoupeDataset LoupeStatus; do
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" \
    --namespace "$TEMPORAL_NAMESPACE" --name "$attribute" --type Keyword ||
    echo "search attribute $attribute exists"
done
echo "namespace $TEMPORAL_NAMESPACE and Loupe's search attributes are ready"
