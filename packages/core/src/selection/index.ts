// Barrel for core's token selection utilities (top-k with the ALGORITHMS §5.6 tie rule).
export {};
