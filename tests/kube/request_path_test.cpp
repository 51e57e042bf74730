#include "kube/request_path.h"

#include <doctest/doctest.h>

namespace spyt::kube {

TEST_SUITE("kube.request_path") {
  TEST_CASE("core namespaced resources live under /api/v1/namespaces/NS") {
    CHECK(ResourcePath(resources::kConfigMaps, "ns1", "cm") ==
          "/api/v1/namespaces/ns1/configmaps/cm");
  }

  TEST_CASE("group resources live under /apis/GROUP/VERSION") {
    CHECK(ResourcePath(resources::kStatefulSets, "ns1", "s") ==
          "/apis/apps/v1/namespaces/ns1/statefulsets/s");
    CHECK(ResourcePath(resources::kSpytClusters, "ns1") ==
          "/apis/spyt.dev/v1alpha1/namespaces/ns1/spytclusters");
  }

  TEST_CASE("cluster-scoped resources ignore the namespace") {
    CHECK(ResourcePath(resources::kNamespaces, "ignored", "ns1") == "/api/v1/namespaces/ns1");
  }

  TEST_CASE("an empty namespace addresses the collection across all namespaces") {
    CHECK(ResourcePath(resources::kPods, "") == "/api/v1/pods");
  }

  TEST_CASE("a subresource follows the name") {
    CHECK(ResourcePath(resources::kSpytClusters, "ns", "c", "status") ==
          "/apis/spyt.dev/v1alpha1/namespaces/ns/spytclusters/c/status");
  }

  TEST_CASE("url encoding keeps unreserved characters and escapes the rest") {
    CHECK(UrlEncode("a-b.c_d~9") == "a-b.c_d~9");
    CHECK(UrlEncode("app=x,tier in (a,b)") == "app%3Dx%2Ctier%20in%20%28a%2Cb%29");
    CHECK(UrlEncode("a/b?c&d#e+f") == "a%2Fb%3Fc%26d%23e%2Bf");
    CHECK(UrlEncode("\xc3\xa9") == "%C3%A9");
  }

  TEST_CASE("a query keeps its order, encodes values and skips unset ones") {
    Query q;
    q.Add("watch", "1").AddIfSet("labelSelector", "a=b").AddIfSet("fieldSelector", "");
    CHECK(q.Encode() == "?watch=1&labelSelector=a%3Db");
    CHECK(Query().Encode().empty());
  }
}

}  // namespace spyt::kube
