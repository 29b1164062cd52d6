{{/* Labels shared by every object; `component` names the service. */}}
{{- define "hookline.selectorLabels" -}}
app.kubernetes.io/name: hookline
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hookline.labels" -}}
{{ include "hookline.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "hookline.image" -}}
{{ .root.Values.image.repository }}/{{ .name }}:{{ .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- end }}

{{- define "hookline.secretName" -}}
{{ .Values.secrets.existingSecret | default "hookline" }}
{{- end }}

{{- define "hookline.publicBaseUrl" -}}
{{- if .Values.publicBaseUrl }}{{ .Values.publicBaseUrl }}
{{- else if .Values.ingress.host }}{{ ternary "https" "http" (gt (len .Values.ingress.tls) 0) }}://{{ .Values.ingress.host }}
{{- end }}
{{- end }}

{{/*
The settings each service's config class reads, as docker-compose.yml gives them; secrets come
from the Secret so they never sit in a Deployment.
*/}}
{{- define "hookline.env" -}}
{{- $v := .root.Values -}}
- name: PORT
  value: {{ .service.port | quote }}
- name: NATS_URL
  value: {{ $v.natsUrl | quote }}
- name: MONGO_URL
  value: {{ $v.mongoUrl | quote }}
{{- if and (has .name (list "registry" "incoming-hooks")) (include "hookline.publicBaseUrl" .root) }}
- name: PUBLIC_BASE_URL
  value: {{ include "hookline.publicBaseUrl" .root | quote }}
{{- end }}
{{- if has .name (list "registry" "dispatcher" "incoming-hooks") }}
- name: HOOKLINE_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "hookline.secretName" .root }}
      key: HOOKLINE_ENCRYPTION_KEY
{{- end }}
{{- if has .name (list "registry" "matcher") }}
- name: HOOKLINE_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "hookline.secretName" .root }}
      key: HOOKLINE_ADMIN_KEY
      # Without an admin key in the Secret no bootstrap key is made.
      optional: true
{{- end }}
{{- if eq .name "registry" }}
# The Ingress controller reaches the registry from a pod address: its X-Forwarded-For is believed.
- name: HTTP_TRUST_PROXY
  value: loopback, uniquelocal
{{- end }}
{{- if has .name (list "registry" "dispatcher") }}
- name: WEBHOOK_ALLOW_HTTP
  value: {{ $v.deliveryPolicy.allowHttp | quote }}
- name: WEBHOOK_HTTP_PORTS
  value: {{ $v.deliveryPolicy.httpPorts | quote }}
- name: WEBHOOK_ALLOWED_CIDRS
  value: {{ $v.deliveryPolicy.allowedCidrs | quote }}
{{- end }}
{{- if $v.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $v.tracing.otlpEndpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $v.tracing.otlpProtocol | quote }}
{{- end }}
{{- range $key, $value := .service.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
