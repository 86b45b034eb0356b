// Package metrics exposes the relay's counters in the Prometheus text format.
package metrics

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// Forwarded counts deliveries accepted by the upstream.
var Forwarded atomic.Int64

// Handler answers GET /metrics.
func Handler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "relay_forwarded_total %d\n", Forwarded.Load())
}
