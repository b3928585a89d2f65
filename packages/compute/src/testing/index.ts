/** Backend conformance suite (filled in by the compute issue). */
export {};
