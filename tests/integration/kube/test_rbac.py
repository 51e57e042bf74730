"""The chart's ServiceAccount may do exactly what the operator's code needs.

`spyt-operator permissions` states what `spyt-operator run` needs (controller/cluster/permissions.h).
This installs the chart and compares it with what the API server's authorizer says the
ServiceAccount may do -- `kubectl auth can-i --list --as=<the ServiceAccount>` in each namespace
that matters -- first cluster-wide (ClusterRole), then with watchNamespaces (Roles): nothing the
code needs may be missing, and nothing else may be granted."""

import re

from helm_release import (CHART, RELEASE, SYSTEM_NS, code_permissions, helm, permission_set,
                          release, system_namespace)  # noqa: F401 (fixtures)

SERVICE_ACCOUNT = f"system:serviceaccount:{SYSTEM_NS}:{RELEASE}"

# What every authenticated user (every ServiceAccount among them) may do, through the
# built-in bindings of system:basic-user, system:discovery, system:public-info-viewer and
# system:service-account-issuer-discovery: review its own access and identity, and read the
# discovery, health, version, OpenAPI and OIDC-discovery URLs. The chart grants none of these;
# they are left out of the comparison, and anything else counts.
EVERYONE_RESOURCES = {
    ("authorization.k8s.io", "selfsubjectaccessreviews", "create", ""),
    ("authorization.k8s.io", "selfsubjectrulesreviews", "create", ""),
    ("authentication.k8s.io", "selfsubjectreviews", "create", ""),
}
EVERYONE_URLS = {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/version",
                 "/version/", "/openapi", "/openapi/*", "/.well-known/openid-configuration",
                 "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"}

ROW = re.compile(r"^(\S*)\s+\[(.*?)\]\s+\[(.*?)\]\s+\[(.*?)\]\s*$")


def parse_can_i_list(text):
    """`kubectl auth can-i --list` (a table: Resources, Non-Resource URLs, Resource Names,
    Verbs) as {(apiGroup, resource[/subresource], verb, resourceName or "")} for resource rules
    and {(url, verb)} for non-resource ones. A resource is printed as `plural.group/sub`."""
    lines = text.splitlines()
    assert lines and lines[0].split()[:2] == ["Resources", "Non-Resource"], text
    resources, urls = set(), set()
    for line in lines[1:]:
        m = ROW.match(line)
        assert m, f"unparsed row {line!r} in\n{text}"
        resource, url_list, names, verbs = m.group(1), m.group(2).split(), m.group(3).split(), m.group(4).split()
        for url in url_list:
            urls |= {(url, v) for v in verbs}
        if resource:
            base, _, sub = resource.partition("/")
            plural, _, group = base.partition(".")
            name = plural + ("/" + sub if sub else "")
            resources |= {(group, name, v, n) for v in verbs for n in names or [""]}
    return resources, urls


def service_account_may(cp, namespace):
    """What the chart's ServiceAccount may do in `namespace`, less what everyone may do."""
    out = cp.kubectl("auth", "can-i", "--list", f"--as={SERVICE_ACCOUNT}", "-n", namespace).stdout
    resources, urls = parse_can_i_list(out)
    unexpected_urls = {u for u in urls if u[0] not in EVERYONE_URLS}
    assert unexpected_urls == set(), f"non-resource URLs granted in {namespace}"
    return resources - EVERYONE_RESOURCES


def diff(granted, needed):
    return {"missing": sorted(needed - granted), "extra": sorted(granted - needed)}


EXACT = {"missing": [], "extra": []}


def test_parse_can_i_list_reads_groups_subresources_names_and_urls():
    text = """Resources                          Non-Resource URLs   Resource Names   Verbs
leases.coordination.k8s.io         []                  [a b]            [get update]
spytclusters.spyt.dev/status       []                  []               [patch]
events                             []                  []               [create]
                                   [/api/*]            []               [get]
"""
    resources, urls = parse_can_i_list(text)
    assert resources == {("coordination.k8s.io", "leases", v, n) for v in ["get", "update"] for n in "ab"} | {
        ("spyt.dev", "spytclusters/status", "patch", ""), ("", "events", "create", "")}
    assert urls == {("/api/*", "get")}


def test_cluster_wide_install_grants_exactly_what_the_code_needs(release, namespace):
    needed = code_permissions()
    watched = permission_set(needed, "watched-namespaces")
    lease = permission_set(needed, "leader-election-namespace")
    assert watched and lease
    # A ClusterRole: the same everywhere (a fresh namespace stands for any), plus the Lease
    # rules in the release namespace.
    assert diff(service_account_may(release, namespace), watched) == EXACT
    assert diff(service_account_may(release, SYSTEM_NS), watched | lease) == EXACT


def test_watch_namespaces_grant_exactly_what_the_code_needs_there_and_nothing_elsewhere(release, namespace):
    other = f"{namespace}-other"
    release.kubectl("create", "namespace", other)
    try:
        helm(release, "upgrade", RELEASE, CHART, "-n", SYSTEM_NS, "--wait", "--timeout", "180s",
             "--set", f"watchNamespaces={{{namespace}}}")
        needed = code_permissions()
        watched = permission_set(needed, "watched-namespaces")
        lease = permission_set(needed, "leader-election-namespace")
        assert diff(service_account_may(release, namespace), watched) == EXACT
        assert diff(service_account_may(release, SYSTEM_NS), lease) == EXACT
        assert service_account_may(release, other) == set()
    finally:
        release.kubectl("delete", "namespace", other, "--wait=false")
