"""Public transparency page: each well-sampled agency's satisfaction index and petition on-time rate."""
