// Benchmark entry point (npm run bench). Filled in by the benchmark suite.
export {};
