{{/*
The templates use a documented subset of Helm's language, so that the chart's contract test can
render them without Helm: `.Values`/`.Release`/`.Chart` lookups and `$`, `if`/`else`, `with`,
`range`, `define`/`include`, and the functions `toYaml`, `nindent`, `quote` and `default`.
*/}}

{{/* The prefix of every resource name: the release name unless fullnameOverride is set. */}}
{{- define "keel.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride -}}
{{- end -}}

{{- define "keel.selectorLabels" -}}
app.kubernetes.io/name: keel
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "keel.labels" -}}
{{ include "keel.selectorLabels" . }}
app.kubernetes.io/version: {{ default .Chart.AppVersion .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: keel-{{ .Chart.Version }}
{{- end -}}

{{- define "keel.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{- define "keel.secretName" -}}
{{- if .Values.secret.create -}}
{{ include "keel.fullname" . }}
{{- else -}}
{{ .Values.secret.existingSecret }}
{{- end -}}
{{- end -}}

{{- define "keel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "keel.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* Keel's environment: the ConfigMap of `config`, then the Secret (its values win). */}}
{{- define "keel.envFrom" -}}
- configMapRef:
    name: {{ include "keel.fullname" . }}
- secretRef:
    name: {{ include "keel.secretName" . }}
{{- end -}}

{{/* Writable places under a read-only root: Keel's DATA_DIR (unpacked plugins) and /tmp. */}}
{{- define "keel.volumes" -}}
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "keel.volumeMounts" -}}
- name: data
  mountPath: /app/data
- name: tmp
  mountPath: /tmp
{{- end -}}
