// bareclient creates a list of objects with no operator and no client-side rate limit,
// then waits until every StatefulSet and Deployment among them has all its replicas
// ready: the time the API server (with the controller-manager, the scheduler and kwok)
// takes for the work an operator does for those objects, with nothing in between.
//
//	bareclient --kubeconfig K --namespace NS --file objects.json [--parallel 16]
//
// objects.json is a v1 List, created in its order by --parallel workers. Prints one JSON
// line: the seconds from the first create to the last create answered and to all ready,
// the objects created and the creates that failed (each retried up to 5 times).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

var resources = map[string]schema.GroupVersionResource{
	"SpytCluster": {Group: "spyt.dev", Version: "v1alpha1", Resource: "spytclusters"},
	"ConfigMap":   {Version: "v1", Resource: "configmaps"},
	"Service":     {Version: "v1", Resource: "services"},
	"StatefulSet": {Group: "apps", Version: "v1", Resource: "statefulsets"},
	"Deployment":  {Group: "apps", Version: "v1", Resource: "deployments"},
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bareclient: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig")
	ns := flag.String("namespace", "bench", "namespace of every object")
	file := flag.String("file", "", "a v1 List of the objects to create")
	parallel := flag.Int("parallel", 16, "concurrent creates")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up after this long")
	flag.Parse()

	raw, err := os.ReadFile(*file)
	if err != nil {
		fail("%v", err)
	}
	var list struct {
		Items []map[string]interface{} `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		fail("%s: %v", *file, err)
	}
	workloads := map[string]bool{} // kind/name of every StatefulSet and Deployment
	for _, item := range list.Items {
		u := unstructured.Unstructured{Object: item}
		if _, ok := resources[u.GetKind()]; !ok {
			fail("%s: kind %q is not one this tool creates", *file, u.GetKind())
		}
		if u.GetKind() == "StatefulSet" || u.GetKind() == "Deployment" {
			workloads[u.GetKind()+"/"+u.GetName()] = true
		}
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("%v", err)
	}
	cfg.QPS, cfg.Burst = -1, 0 // no client-side limit: the server's limit is what is measured
	cfg.UserAgent = "spyt-bareclient"
	client := dynamic.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	// Watch the workloads before creating anything, so no ready transition is missed.
	var mu sync.Mutex
	ready := map[string]bool{}
	allReady := make(chan time.Time, 1)
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, *ns, nil)
	var synced []cache.InformerSynced
	for _, kind := range []string{"StatefulSet", "Deployment"} {
		kind := kind
		observe := func(o interface{}) {
			u, ok := o.(*unstructured.Unstructured)
			if !ok {
				return
			}
			want, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
			have, _, _ := unstructured.NestedInt64(u.Object, "status", "readyReplicas")
			key := kind + "/" + u.GetName()
			if !workloads[key] || have < want {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if ready[key] {
				return
			}
			ready[key] = true
			if len(ready) == len(workloads) {
				allReady <- time.Now()
			}
		}
		informer := factory.ForResource(resources[kind]).Informer()
		_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    observe,
			UpdateFunc: func(_, o interface{}) { observe(o) },
		})
		synced = append(synced, informer.HasSynced)
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		fail("watches did not sync")
	}

	start := time.Now()
	items := make(chan map[string]interface{})
	var failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < *parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for item := range items {
				u := &unstructured.Unstructured{Object: item}
				r := client.Resource(resources[u.GetKind()]).Namespace(*ns)
				var err error
				for attempt := 0; attempt < 5; attempt++ {
					if _, err = r.Create(ctx, u, metav1.CreateOptions{}); err == nil {
						break
					}
					time.Sleep(time.Second)
				}
				if err != nil {
					failed.Add(1)
					fmt.Fprintf(os.Stderr, "create %s/%s: %v\n", u.GetKind(), u.GetName(), err)
				}
			}
		}()
	}
	for _, item := range list.Items {
		items <- item
	}
	close(items)
	wg.Wait()
	created := time.Since(start)

	var done time.Duration
	if len(workloads) > 0 {
		select {
		case t := <-allReady:
			done = t.Sub(start)
		case <-ctx.Done():
			mu.Lock()
			n := len(ready)
			mu.Unlock()
			fail("%d of %d workloads ready after %s", n, len(workloads), *timeout)
		}
	}
	out, _ := json.Marshal(map[string]interface{}{
		"objects": len(list.Items), "workloads": len(workloads), "failed": failed.Load(),
		"created_s": created.Seconds(), "ready_s": done.Seconds(),
	})
	fmt.Println(string(out))
}
