{{/* Names and labels shared by every template. */}}

{{- define "spyt-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* RELEASE-NAME, or RELEASE when it already contains the chart name; 52 characters leave
room for suffixes such as "-metrics". */}}
{{- define "spyt-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := include "spyt-operator.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "spyt-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "spyt-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Selector labels never change after install: Deployment selectors are immutable. */}}
{{- define "spyt-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spyt-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Not app.kubernetes.io/managed-by=spyt-operator: that label marks the children the
operator caches and owns. */}}
{{- define "spyt-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "spyt-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: spyt-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "spyt-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The operator's permissions on the objects of the namespaces it watches: exactly the
calls it makes, as `spyt-operator permissions` lists them (see charts/spyt-operator/README.md,
"Permissions"; tests/integration/kube/test_rbac.py compares the two). Informers list and
watch; server-side apply is a PATCH that also needs create while the object is missing;
only the history server's and Livy's Deployment and Service are ever deleted. */}}
{{- define "spyt-operator.rules" -}}
- apiGroups: ["spyt.dev"]
  resources: ["spytclusters"]
  verbs: ["list", "watch"]
- apiGroups: ["spyt.dev"]
  resources: ["spytclusters/status"]
  verbs: ["patch"]
- apiGroups: ["spyt.dev"]
  resources: ["spytclusters/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets", "deployments"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* A duration of the schema's form (15s, 2m, 1h) in seconds. */}}
{{- define "spyt-operator.seconds" -}}
{{- $unit := regexFind "[smh]$" . }}
{{- $n := trimSuffix $unit . | int }}
{{- mul $n (get (dict "s" 1 "m" 60 "h" 3600) $unit) }}
{{- end }}
