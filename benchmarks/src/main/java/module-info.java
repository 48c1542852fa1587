/** Benchmarks of labwire against raw baselines. Filled by the benchmarks issue. */
module dev.labwire.bench {
    requires dev.labwire.core;
}
