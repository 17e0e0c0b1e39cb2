{{/* Names, labels and the shared parts of the pools' objects. */}}

{{- define "loupe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart>, or the release name alone when it already contains the chart's name. */}}
{{- define "loupe.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "loupe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "loupe.labels" -}}
helm.sh/chart: {{ include "loupe.chart" . }}
app.kubernetes.io/name: {{ include "loupe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selects one pool's pods. Call with (dict "root" $ "pool" $pool). */}}
{{- define "loupe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "loupe.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .pool.key }}
{{- end }}

{{/* The name of one pool's objects: <fullname>-<pool key>. */}}
{{- define "loupe.poolName" -}}
{{- printf "%s-%s" (include "loupe.fullname" .root) .pool.key | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "loupe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "loupe.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The variable an endpoint's key is passed in: openai -> OPENAI_API_KEY, my-vllm -> MY_VLLM_API_KEY. */}}
{{- define "loupe.apiKeyEnv" -}}
{{- printf "%s_API_KEY" (. | upper | replace "-" "_") }}
{{- end }}

{{/*
The pools this release runs, as YAML ({pools: [...]}): each with its key (the objects' name
suffix), the `--pool` argument, the task queue it polls (the names in dev.loupe.contract.TaskQueues),
the queue's task type for KEDA, the loupe.yaml variant it reads, and its values (an API pool's are
pools.api with the endpoint's `pool` overrides).
*/}}
{{- define "loupe.pools" -}}
pools:
{{- with .Values.pools.workflows }}
{{- if .enabled }}
  - {key: workflows, pool: workflows, queue: loupe-workflows, queueType: workflow, config: loupe.yaml, values: {{ toJson . }}}
{{- end }}
{{- end }}
{{- with .Values.pools.cpu }}
{{- if .enabled }}
  - {key: cpu, pool: cpu, queue: loupe-cpu, queueType: activity, config: loupe.yaml, values: {{ toJson . }}}
{{- end }}
{{- end }}
{{- if .Values.pools.api.enabled }}
{{- range .Values.endpoints }}
{{- $values := mergeOverwrite (deepCopy $.Values.pools.api) (deepCopy (.pool | default dict)) }}
  - {key: {{ printf "api-%s" .name | quote }}, pool: api, endpoint: {{ .name | quote }}, queue: {{ printf "loupe-api-%s" .name | quote }}, queueType: activity, config: {{ printf "loupe-api-%s.yaml" .name | quote }}, values: {{ toJson $values }}}
{{- end }}
{{- end }}
{{- with .Values.pools.captioner }}
{{- if .enabled }}
  - {key: captioner, pool: captioner, queue: loupe-captioner, queueType: activity, config: loupe-captioner.yaml, values: {{ toJson . }}}
{{- end }}
{{- end }}
{{- end }}

{{/* Fails on endpoint names Loupe would reject, or that repeat. */}}
{{- define "loupe.checkEndpoints" -}}
{{- $seen := dict }}
{{- range .Values.endpoints }}
{{- if not (regexMatch "^[a-z0-9][a-z0-9-]*$" (.name | default "")) }}
{{- fail (printf "endpoints: name %q must be lower-case letters, digits and '-' (it names the task queue loupe-api-<name>)" (.name | default "")) }}
{{- end }}
{{- if hasKey $seen .name }}
{{- fail (printf "endpoints: %q is listed twice" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- end }}

{{/*
A loupe.yaml: .Values.config plus the endpoints (all of them, or only .endpoint for an API pool,
which then polls only that endpoint's queue and reads only its key) and, for the captioner, its
`captioner:` section.
Call with (dict "root" $ "endpoint" NAME-or-"" "captioner" true-or-false).
*/}}
{{- define "loupe.configFile" -}}
{{- $values := .root.Values }}
{{- $config := deepCopy ($values.config | default dict) }}
{{- range list "endpoints" "captioner" "temporal" }}
{{- if hasKey $config . }}
{{- fail (printf "config.%s: set it through the chart's own values (endpoints, pools.captioner, temporal), not in config" .) }}
{{- end }}
{{- end }}
{{- $endpoints := dict }}
{{- $first := "" }}
{{- range $values.endpoints }}
{{- if or (not $.endpoint) (eq $.endpoint .name) }}
{{- $settings := deepCopy (.settings | default dict) }}
{{- if and .apiKey .apiKey.existingSecret }}
{{- $_ := set $settings "apiKeyEnv" (include "loupe.apiKeyEnv" .name) }}
{{- end }}
{{- $_ := set $endpoints .name $settings }}
{{- $first = $first | default .name }}
{{- end }}
{{- end }}
{{- $_ := set $config "endpoints" $endpoints }}
{{- /* YAML maps come out sorted, so "the first endpoint" is named rather than implied. */}}
{{- if .endpoint }}
{{- $_ := set $config "defaultEndpoint" .endpoint }}
{{- else if and $first (not $config.defaultEndpoint) }}
{{- $_ := set $config "defaultEndpoint" $first }}
{{- end }}
{{- /* The model server's URL and batch size are flags of the captioner's command line. */}}
{{- if .captioner }}
{{- $_ := set $config "captioner" (deepCopy ($values.pools.captioner.settings | default dict)) }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/*
The config directory's files as JSON, path -> content: the chart's copy of config/ under values'
configFiles. JSON, not YAML: toYaml drops the last file's final newline.
*/}}
{{- define "loupe.configFiles" -}}
{{- $files := dict }}
{{- range $path, $_ := .Files.Glob "files/config/**" }}
{{- $_ := set $files (trimPrefix "files/config/" $path) ($.Files.Get $path) }}
{{- end }}
{{- range $path, $content := .Values.configFiles }}
{{- $_ := set $files $path $content }}
{{- end }}
{{- toJson $files }}
{{- end }}

{{/* A ConfigMap key for a config path: prompts/allava/ask-en-1.txt -> prompts__allava__ask-en-1.txt. */}}
{{- define "loupe.configKey" -}}
{{- . | replace "/" "__" }}
{{- end }}

{{/* The Temporal connection, S3 credentials, payload keys and logging: every worker's environment. */}}
{{- define "loupe.env" -}}
{{- $temporal := .Values.temporal -}}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required" $temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ $temporal.namespace | quote }}
{{- with $temporal.uiUrl }}
- name: LOUPE_TEMPORAL_UI_URL
  value: {{ . | quote }}
{{- end }}
{{- if $temporal.tls.enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- with $temporal.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- with $temporal.tls.existingSecret }}
{{- if $temporal.tls.caKey }}
- name: TEMPORAL_TLS_CA
  value: /etc/loupe/temporal-tls/{{ $temporal.tls.caKey }}
{{- end }}
{{- if $temporal.tls.certKey }}
- name: TEMPORAL_TLS_CERT
  value: /etc/loupe/temporal-tls/{{ $temporal.tls.certKey }}
- name: TEMPORAL_TLS_KEY
  value: /etc/loupe/temporal-tls/{{ required "temporal.tls.keyKey is required with a client certificate" $temporal.tls.keyKey }}
{{- end }}
{{- end }}
{{- with $temporal.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $temporal.apiKey.key }}
{{- end }}
{{- with .Values.s3.credentials }}
{{- if .existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .secretAccessKeyKey }}
{{- end }}
{{- end }}
{{- with .Values.payloadEncryption }}
{{- if .existingSecret }}
- name: LOUPE_PAYLOAD_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .keyKey }}
- name: LOUPE_PAYLOAD_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .keyIdKey }}
      optional: true
- name: LOUPE_PAYLOAD_PREVIOUS_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .previousKeysKey }}
      optional: true
{{- end }}
{{- end }}
- name: LOUPE_LOG_LEVEL
  value: {{ .Values.workers.logLevel | quote }}
# The default response cache and the JVM's temporary files, on the /tmp emptyDir.
- name: XDG_CACHE_HOME
  value: /tmp/cache
{{- end }}
