"""The evaluation core, the path of one sample: samples -> scoring (Job) -> executor (sandbox) -> judge (Verdict) -> results -> metrics."""
