package workload

// ThreadCPUTime lets the external tests read the clock Calibrate uses.
var ThreadCPUTime = threadCPUTime
