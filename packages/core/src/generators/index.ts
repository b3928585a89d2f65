// Barrel for core's generators (filled by the issue that builds it).
export {};
