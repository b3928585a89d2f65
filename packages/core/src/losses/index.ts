// Barrel for core's losses (filled by the issue that builds it).
export {};
